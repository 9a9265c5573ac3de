package io.trinitybeast.usagelog.writer;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What one invocation did. Logged as one JSON line in CloudWatch's Embedded Metric Format, so the
 * same line is the structured log an operator searches and the metrics an alarm watches, with no
 * API call from the function.
 *
 * @param messages       SQS messages in the batch
 * @param records        envelopes read from them
 * @param inserted       records newly stored
 * @param duplicates     records whose id was already stored (or repeated in the batch): skipped
 * @param rejected       records parked in rejected_records, with their reason
 * @param failedMessages messages reported in batchItemFailures, to be retried and then dead-lettered
 * @param failuresByReason how many messages failed for which reason
 * @param durationMillis time spent in the invocation
 * @param databaseFailed the transaction failed: every message returns to the queue
 */
public record InvocationReport(int messages, int records, int inserted, int duplicates, int rejected, int failedMessages,
        Map<String, Integer> failuresByReason, long durationMillis, boolean databaseFailed) {

    static final String NAMESPACE = "UsageLog/QueuedWriter";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final String[][] METRICS = {
        {"Messages", "Count"}, {"Records", "Count"}, {"Inserted", "Count"}, {"Duplicates", "Count"},
        {"RejectedRecords", "Count"}, {"FailedMessages", "Count"}, {"DatabaseFailures", "Count"},
        {"DurationMillis", "Milliseconds"},
    };

    /** One EMF log line. */
    public String toJsonLine(String functionName, long epochMillis) {
        ObjectNode line = MAPPER.createObjectNode();
        ObjectNode aws = line.putObject("_aws");
        aws.put("Timestamp", epochMillis);
        ObjectNode directive = aws.putArray("CloudWatchMetrics").addObject();
        directive.put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add("FunctionName");
        ArrayNode metrics = directive.putArray("Metrics");
        for (String[] metric : METRICS) {
            metrics.addObject().put("Name", metric[0]).put("Unit", metric[1]);
        }
        line.put("FunctionName", functionName);
        line.put("Messages", messages);
        line.put("Records", records);
        line.put("Inserted", inserted);
        line.put("Duplicates", duplicates);
        line.put("RejectedRecords", rejected);
        line.put("FailedMessages", failedMessages);
        line.put("DatabaseFailures", databaseFailed ? 1 : 0);
        line.put("DurationMillis", durationMillis);
        ObjectNode reasons = line.putObject("failureReasons");
        failuresByReason.forEach(reasons::put);
        return line.toString();
    }
}
