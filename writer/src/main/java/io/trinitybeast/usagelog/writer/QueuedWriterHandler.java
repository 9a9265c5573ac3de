package io.trinitybeast.usagelog.writer;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The Lambda entry point, {@code io.trinitybeast.usagelog.writer.QueuedWriterHandler::handleRequest}:
 * an SQS event source mapping with {@code ReportBatchItemFailures} calls it with a batch, and it
 * answers with the messages that failed.
 *
 * <p>The writer and its database connection live as long as the container (SnapStart snapshots
 * it before any connection exists). Each invocation logs one JSON line (CloudWatch Embedded Metric
 * Format), and one line per failed message with its id and reason (which quotes at most 40
 * characters of an offending value); never a whole record or a credential.
 */
public final class QueuedWriterHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private static volatile QueuedWriter containerWriter;

    private final QueuedWriter writer;
    private final String functionName;
    private final Consumer<String> logLine;
    private final Consumer<InvocationReport> onReport;

    /** For the Lambda runtime: configured from the environment, logging to stdout (CloudWatch Logs). */
    public QueuedWriterHandler() {
        this(containerWriter(), System.getenv().getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "trinity-beast-queued-writer"),
                System.out::println);
    }

    /** For the local event source mapping and tests. */
    public QueuedWriterHandler(QueuedWriter writer, String functionName) {
        this(writer, functionName, System.out::println);
    }

    /** For the local event source mapping: its JSON lines go where the caller says. */
    public QueuedWriterHandler(QueuedWriter writer, String functionName, Consumer<String> logLine) {
        this(writer, functionName, logLine, report -> { });
    }

    /** For the local runtime, which also tallies every invocation's report. */
    public QueuedWriterHandler(QueuedWriter writer, String functionName, Consumer<String> logLine,
            Consumer<InvocationReport> onReport) {
        this.writer = writer;
        this.functionName = functionName;
        this.logLine = logLine;
        this.onReport = onReport;
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
                logLine.accept("{\"level\":\"WARN\",\"failedMessage\":\"" + failed.getKey() + "\",\"reason\":"
                        + TextNode.valueOf(failed.getValue()) + "}");
            }
            logLine.accept(outcome.report().toJsonLine(functionName, System.currentTimeMillis()));
            onReport.accept(outcome.report());
            return outcome.response();
        } catch (WriterException e) {
            logLine.accept(e.report().toJsonLine(functionName, System.currentTimeMillis()));
            onReport.accept(e.report());
            throw e;
        }
    }
}
