package io.trinitybeast.usagelog.local;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.parameters.DatabaseParameterSource;
import io.trinitybeast.usagelog.parameters.ParameterStore;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.ProducerStats;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import io.trinitybeast.usagelog.writer.QueuedWriter;
import io.trinitybeast.usagelog.writer.QueuedWriterHandler;
import io.trinitybeast.usagelog.writer.RecordHandlers;
import io.trinitybeast.usagelog.writer.WriterDatabase;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code usagelog demo}: the pipeline on this machine with nothing to set up. Senders call the
 * producer as the price server's request threads will; an embedded SQS carries the records; the
 * real queued writer, under the local event source mapping, stores them in PostgreSQL; then every
 * record is accounted for.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the pipeline locally on embedded defaults and reconciles every record.",
            "Senders -> producer -> embedded SQS (ElasticMQ on loopback) -> event source mapping -> queued writer -> PostgreSQL",
            "(embedded, unless --database-url is given)."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--records", description = "Usage-log records to send (default: ${DEFAULT-VALUE}).", defaultValue = "200000")
    long records;

    @Option(names = "--rate", description = "Records per second across all senders; 0 = as fast as they can (default: ${DEFAULT-VALUE}).",
            defaultValue = "20000")
    long rate;

    @Option(names = "--senders", description = "Concurrent sending threads, 1-64 (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int senders;

    @Option(names = "--api-keys", description = "Distinct API keys, 1-100000 (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int apiKeys;

    @Option(names = "--profile", description = "System profile applied before the run (default: ${DEFAULT-VALUE}); see 'usagelog profiles list'.",
            defaultValue = "production")
    String profile;

    @Option(names = "--pack-bytes", description = "Sets sqs_pack_bytes after the profile: records packed per message up to this many bytes; 0 = one per message.")
    Long packBytes;

    @Option(names = "--buffer-size", description = "Sets sqs_buffer_size after the profile: records the producer buffers before dropping.")
    Long bufferSize;

    @Option(names = "--writers", description = "Concurrent writer invocations (event source mapping pollers), 1-64 (default: ${DEFAULT-VALUE}).",
            defaultValue = "2")
    int writers;

    @Option(names = "--json", description = "Print the summary as JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        LocalDatabase.Database given = database.database(spec.commandLine(), false);
        PrintWriter out = spec.commandLine().getOut();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String node = "demo-" + run;
        String keyPrefix = "ak_demo_" + run + "_";
        long started = System.nanoTime();
        try (LocalSqs sqs = LocalSqs.start(0); LocalDatabase server = given == null ? LocalDatabase.startEmbedded() : null) {
            LocalDatabase.Database target = given != null ? given : server.server();
            UsageLogSchema.migrate(target.dataSource());
            // The producer reads its parameters from application_parameters, as a price server does.
            ParameterStore parameters = new ParameterStore(target::connect);
            try {
                parameters.apply(profile, "usagelog demo");
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage() + " (see 'usagelog profiles list')");
            }
            if (packBytes != null) {
                parameters.set(ProducerParameter.PACK_BYTES.parameterName(), packBytes.toString(), "usagelog demo");
            }
            if (bufferSize != null) {
                parameters.set(ProducerParameter.BUFFER_SIZE.parameterName(), bufferSize.toString(), "usagelog demo");
            }
            DatabaseParameterSource parameterSource = DatabaseParameterSource.start(target::connect, Duration.ofSeconds(5));
            parameterSource.awaitLoaded(Duration.ofSeconds(10));
            LocalSqs.Queues queues = sqs.provision();
            if (!json) {
                out.printf("local SQS at %s, queue %s%nPostgreSQL at %s (%s)%n", sqs.endpoint(), queues.queueUrl(), target.jdbcUrl(),
                        given == null ? "embedded" : "given");
                out.flush();
            }
            PipelineTally tally = new PipelineTally(target, node, keyPrefix);
            WriterDatabase writerDatabase = new WriterDatabase(() -> new WriterDatabase.Credentials(target.jdbcUrl(), target.user(),
                    target.password()));
            QueuedWriterHandler writer = new QueuedWriterHandler(new QueuedWriter(writerDatabase, RecordHandlers.standard()),
                    "trinity-beast-queued-writer", line -> { }, tally);
            LocalEventSourceMapping mapping = new LocalEventSourceMapping(sqs.client(), queues.queueUrl(), queues.queueArn(), writer,
                    new LocalEventSourceMapping.Settings(100, Duration.ofSeconds(1), writers)).start();
            UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(64)).closeClient(true)
                    .queueUrl(queues.queueUrl()).node(node)
                    .parameters(parameterSource)
                    .meterRegistry(new SimpleMeterRegistry()).start();
            Progress progress = new Progress(out, !json, producer, tally, records);
            progress.start();

            runSenders(producer, keyPrefix);
            CloseReport closed = producer.close(Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (tally.storedRows() < closed.stats().sent() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
            mapping.close();
            parameterSource.close();
            progress.stop();
            String dlqDepth = sqs.client().getQueueAttributes(b -> b.queueUrl(queues.dlqUrl())
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).join().attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
            Map<String, Object> summary = summary(closed, tally, Long.parseLong(dlqDepth), (System.nanoTime() - started) / 1e9);
            tally.close();
            writerDatabase.close();
            if (json) {
                out.println(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build().writeValueAsString(summary));
            } else {
                printSummary(out, summary);
            }
            out.flush();
            return Boolean.TRUE.equals(summary.get("reconciled")) ? 0 : 1;
        }
    }

    private void validate() {
        if (records < 1) {
            throw new ParameterException(spec.commandLine(), "--records must be at least 1, got " + records);
        }
        if (rate < 0) {
            throw new ParameterException(spec.commandLine(), "--rate must be 0 (unlimited) or more, got " + rate);
        }
        if (senders < 1 || senders > 64) {
            throw new ParameterException(spec.commandLine(), "--senders must be in 1-64, got " + senders);
        }
        if (apiKeys < 1 || apiKeys > 100_000) {
            throw new ParameterException(spec.commandLine(), "--api-keys must be in 1-100000, got " + apiKeys);
        }
        if (writers < 1 || writers > 64) {
            throw new ParameterException(spec.commandLine(), "--writers must be in 1-64, got " + writers);
        }
        try {
            if (packBytes != null) {
                ProducerParameter.PACK_BYTES.check(packBytes);
            }
            if (bufferSize != null) {
                ProducerParameter.BUFFER_SIZE.check(bufferSize);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Each sender paces itself to its share of the rate, as request threads would arrive. */
    private void runSenders(UsageLogProducer producer, String keyPrefix) throws InterruptedException {
        Thread[] threads = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            long share = records / senders + (s < records % senders ? 1 : 0);
            double perMilli = rate == 0 ? 0 : (double) rate / senders / 1000.0;
            threads[s] = new Thread(() -> send(producer, keyPrefix, share, perMilli), "demo-sender-" + s);
            threads[s].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void send(UsageLogProducer producer, String keyPrefix, long count, double perMilli) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] assets = {"BTC", "ETH", "SOL", "XRP", "ADA"};
        String[] sources = {"binance", "coinbase", "kraken"};
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            if (perMilli > 0) {
                long wait = start + (long) (i / perMilli * 1_000_000) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            producer.send(UsageLog.TYPE, new UsageLog(keyPrefix + random.nextInt(apiKeys), assets[random.nextInt(assets.length)],
                    sources[random.nextInt(sources.length)], 20 + random.nextInt(200), "L1_MEMORY"));
        }
    }

    private Map<String, Object> summary(CloseReport closed, PipelineTally tally, long dlqDepth, double seconds) throws Exception {
        ProducerStats stats = closed.stats();
        long stored = tally.storedRows();
        long counters = tally.counterTotal();
        long[] lag = tally.lagMillis();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("profile", profile);
        summary.put("offered", stats.offered());
        summary.put("accepted", stats.enqueued());
        summary.put("dropped", Map.of("buffer_full", stats.droppedBufferFull(), "closed", stats.droppedClosed(),
                "invalid", stats.droppedInvalid()));
        summary.put("sent", stats.sent());
        summary.put("failed", stats.failed());
        summary.put("retried", stats.retried());
        summary.put("sqs_messages", stats.messagesSent());
        summary.put("send_message_batch_calls", stats.batchCalls());
        summary.put("writer_invocations", tally.invocations.sum());
        summary.put("stored", stored);
        summary.put("duplicates_skipped", tally.duplicates.sum());
        summary.put("rejected_records", tally.rejected.sum());
        summary.put("failed_messages", tally.failedMessages.sum());
        summary.put("dead_lettered", dlqDepth);
        summary.put("counter_total", counters);
        summary.put("lag_ms", Map.of("p50", lag[0], "p99", lag[1], "max", lag[2]));
        summary.put("seconds", Math.round(seconds * 100) / 100.0);
        boolean reconciled = stats.offered() == records
                && stats.enqueued() == stats.sent() + stats.failedTotal()
                && closed.clean()
                && stored == stats.sent()
                && counters == stored
                && dlqDepth == 0;
        summary.put("reconciled", reconciled);
        return summary;
    }

    private static void printSummary(PrintWriter out, Map<String, Object> s) {
        out.println();
        out.println("reconciliation");
        s.forEach((key, value) -> out.printf("  %-26s %s%n", key, value instanceof Long l ? String.format("%,d", l) : value));
        out.println(Boolean.TRUE.equals(s.get("reconciled"))
                ? "every record accounted for: offered = accepted + dropped, sent = stored = counter total, nothing dead-lettered"
                : "RECORDS DO NOT RECONCILE: see the figures above");
    }
}
