package io.trinitybeast.usagelog.writer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.Map;

/**
 * The Lambda entry point, {@code io.trinitybeast.usagelog.writer.QueuedWriterHandler::handleRequest}:
 * an SQS event source mapping with {@code ReportBatchItemFailures} calls it with a batch, and it
 * answers with the messages that failed.
 *
 * <p>The writer and its database connection live as long as the container (SnapStart snapshots
 * it before any connection exists). Each invocation logs one JSON line (CloudWatch Embedded Metric
 * Format), and one line per failed message with its id and reason; never a record's contents or
 * a credential.
 */
public final class QueuedWriterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static volatile QueuedWriter containerWriter;

    private final QueuedWriter writer;
    private final String functionName;

    /** For the Lambda runtime: configured from the environment. */
    public QueuedWriterHandler() {
        this(containerWriter(), System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "trinity-beast-queued-writer"));
    }

    /** For the local event source mapping and tests. */
    public QueuedWriterHandler(QueuedWriter writer, String functionName) {
        this.writer = writer;
        this.functionName = functionName;
    }

    private static QueuedWriter containerWriter() {
        QueuedWriter writer = containerWriter;
        if (writer == null) {
            synchronized (QueuedWriterHandler.class) {
                writer = containerWriter;
                if (writer == null) {
                    writer = new QueuedWriter(WriterDatabase.fromEnvironment(), RecordHandlers.standard());
                    containerWriter = writer;
                }
            }
        }
        return writer;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        try {
            QueuedWriter.Outcome outcome = writer.write(event.getRecords());
            for (Map.Entry<String, String> failed : outcome.failedMessages().entrySet()) {
                System.out.println("{\"level\":\"WARN\",\"failedMessage\":\"" + failed.getKey() + "\",\"reason\":"
                        + com.fasterxml.jackson.databind.node.TextNode.valueOf(failed.getValue()) + "}");
            }
            System.out.println(outcome.report().toJsonLine(functionName, System.currentTimeMillis()));
            return outcome.response();
        } catch (WriterException e) {
            System.out.println(e.report().toJsonLine(functionName, System.currentTimeMillis()));
            throw e;
        }
    }
}
