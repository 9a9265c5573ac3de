package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.writer.QueuedWriter;
import io.trinitybeast.usagelog.writer.QueuedWriterHandler;
import io.trinitybeast.usagelog.writer.RecordHandlers;
import io.trinitybeast.usagelog.writer.WriterDatabase;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

@Command(name = "writer", mixinStandardHelpOptions = true,
        description = {"Runs the queued writer under the local event source mapping against a real SQS endpoint and database.",
            "Runs until interrupted (Ctrl-C) or for --duration-seconds."})
final class WriterCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SqsOptions sqs;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--queue-url", required = true, description = "The usage-log queue.")
    String queueUrl;

    @Option(names = "--batch-size", defaultValue = "100", description = "Messages per invocation, 1-10000 (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batching-window-seconds", defaultValue = "5", description = "Gathering window, 0-300 (default: ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--pollers", defaultValue = "2", description = "Concurrent pollers/invocations, 1-1000 (default: ${DEFAULT-VALUE}).")
    int pollers;

    @Option(names = "--duration-seconds", defaultValue = "0", description = "Stop after this long; 0 runs until interrupted (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Override
    public Integer call() throws Exception {
        LocalEventSourceMapping.Settings settings;
        try {
            settings = new LocalEventSourceMapping.Settings(batchSize, Duration.ofSeconds(windowSeconds), pollers);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        LocalDatabase.Database target = database.database(spec.commandLine(), true);
        PrintWriter out = spec.commandLine().getOut();
        try (SqsAsyncClient client = sqs.client(16);
                WriterDatabase connection = new WriterDatabase(() -> new WriterDatabase.Credentials(target.jdbcUrl(), target.user(),
                        target.password()))) {
            String queueArn = client.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNamesWithStrings("QueueArn")).join().attributesAsStrings().get("QueueArn");
            QueuedWriterHandler handler = new QueuedWriterHandler(new QueuedWriter(connection, RecordHandlers.standard()),
                    "trinity-beast-queued-writer", line -> { });
            CountDownLatch stop = new CountDownLatch(1);
            Thread hook = new Thread(stop::countDown);
            Runtime.getRuntime().addShutdownHook(hook);
            try (LocalEventSourceMapping mapping = new LocalEventSourceMapping(client, queueUrl, queueArn, handler, settings).start()) {
                out.printf("writing from %s into %s (batch %d, window %d s, %d pollers)%n", queueUrl, target.jdbcUrl(), batchSize,
                        windowSeconds, pollers);
                out.flush();
                long end = durationSeconds == 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
                while (!stop.await(5, TimeUnit.SECONDS) && System.nanoTime() < end) {
                    report(out, mapping);
                }
                report(out, mapping);
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting: the hook has run
                }
            }
        }
        return 0;
    }

    private static void report(PrintWriter out, LocalEventSourceMapping mapping) {
        out.printf("invocations %,d  messages %,d  deleted %,d  returned to queue %,d  invocation errors %,d%n",
                mapping.invocations.sum(), mapping.messagesDelivered.sum(), mapping.messagesDeleted.sum(),
                mapping.messagesReturned.sum(), mapping.invocationErrors.sum());
        out.flush();
    }
}
