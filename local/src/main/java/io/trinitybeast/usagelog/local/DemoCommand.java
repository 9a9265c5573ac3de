package io.trinitybeast.usagelog.local;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.trinitybeast.usagelog.parameters.DatabaseParameterSource;
import io.trinitybeast.usagelog.parameters.ParameterStore;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.ProducerStats;
import io.trinitybeast.usagelog.producer.ProducerSqsClient;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import io.trinitybeast.usagelog.writer.QueuedWriter;
import io.trinitybeast.usagelog.writer.QueuedWriterHandler;
import io.trinitybeast.usagelog.writer.RecordHandlers;
import io.trinitybeast.usagelog.writer.WriterDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trinitybeast.usagelog.server.ApiKeys;
import io.trinitybeast.usagelog.server.PriceCache;
import io.trinitybeast.usagelog.server.PriceServer;
import java.io.PrintWriter;
import java.net.URI;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
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
 * {@code usagelog demo}: the whole pipeline on this machine with nothing to set up. A load generator
 * sends real HTTP price requests to the price server; its producer hands a usage record per answer
 * to an embedded SQS; the real queued writer, under the local event source mapping, stores them in
 * PostgreSQL; then every request is accounted for.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the whole pipeline locally on embedded defaults and reconciles every request.",
            "HTTP load -> price server -> producer -> embedded SQS (ElasticMQ on loopback) -> event source mapping",
            "-> queued writer -> PostgreSQL (embedded, unless --database-url is given)."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DatabaseOptions database;

    @Option(names = "--requests", description = "Price requests to send (default: ${DEFAULT-VALUE}).", defaultValue = "30000")
    long requests;

    @Option(names = "--rate", description = "Requests per second in all; 0 = as fast as they go (default: ${DEFAULT-VALUE}).",
            defaultValue = "3000")
    long rate;

    @Option(names = "--duration-seconds", description = "Stop sending after this long, 1-3600 (default: ${DEFAULT-VALUE}).",
            defaultValue = "600")
    long durationSeconds;

    @Option(names = "--concurrency", description = "Concurrent HTTP clients, 1-256 (default: ${DEFAULT-VALUE}).", defaultValue = "16")
    int concurrency;

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
        try (LocalSqs sqs = LocalSqs.start(0); LocalDatabase embedded = given == null ? LocalDatabase.startEmbedded() : null) {
            LocalDatabase.Database target = given != null ? given : embedded.server();
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
            List<HttpLoad.Key> keys = new ArrayList<>();
            try (Connection c = target.connect()) {
                for (int i = 0; i < apiKeys; i++) {
                    keys.add(new HttpLoad.Key(keyPrefix + i, ApiKeys.create(c, keyPrefix + i, "usagelog demo")));
                }
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            UsageLogProducer producer = UsageLogProducer.builder()
                    .sqs(ProducerSqsClient.create(sqs.endpoint(), LocalSqs.REGION, LocalSqs.CREDENTIALS, 64)).closeClient(true)
                    .queueUrl(queues.queueUrl()).node(node).parameters(parameterSource).meterRegistry(registry).start();
            PriceServer server = PriceServer.start("127.0.0.1", 0, PriceCache.demo(), ApiKeys.load(target::connect, 30), producer,
                    registry);
            if (!json) {
                out.printf("price server on http://127.0.0.1:%d, %d API keys, profile %s%n", server.port(), apiKeys, profile);
                out.flush();
            }
            HttpLoad load = new HttpLoad(URI.create("http://127.0.0.1:" + server.port()), keys);
            Progress progress = new Progress(out, !json, producer, tally, requests, load);
            progress.start();

            load.run(requests, rate, concurrency, Duration.ofSeconds(durationSeconds));
            CloseReport closed = server.stop(Duration.ofSeconds(30));
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
            Map<String, Object> summary = summary(closed, tally, load, Long.parseLong(dlqDepth), (System.nanoTime() - started) / 1e9);
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
        if (requests < 1) {
            throw new ParameterException(spec.commandLine(), "--requests must be at least 1, got " + requests);
        }
        if (durationSeconds < 1 || durationSeconds > 3600) {
            throw new ParameterException(spec.commandLine(), "--duration-seconds must be in 1-3600, got " + durationSeconds);
        }
        if (rate < 0) {
            throw new ParameterException(spec.commandLine(), "--rate must be 0 (unlimited) or more, got " + rate);
        }
        if (concurrency < 1 || concurrency > 256) {
            throw new ParameterException(spec.commandLine(), "--concurrency must be in 1-256, got " + concurrency);
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

    private Map<String, Object> summary(CloseReport closed, PipelineTally tally, HttpLoad load, long dlqDepth, double seconds)
            throws Exception {
        ProducerStats stats = closed.stats();
        long stored = tally.storedRows();
        long counters = tally.counterTotal();
        long[] lag = tally.lagMillis();
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("profile", profile);
        summary.put("requests_sent", load.sent.sum());
        summary.put("requests_answered", load.answered.sum());
        summary.put("requests_rejected", load.rejected.sum());
        summary.put("request_errors", load.errors.sum());
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
        Map<String, Long> perKey = tally.countersByKey();
        boolean perKeyExact = stats.dropped() + stats.failedTotal() > 0 || load.answeredByKey.entrySet().stream()
                .allMatch(e -> e.getValue().sum() == perKey.getOrDefault(e.getKey(), 0L));
        summary.put("counters_match_answers_per_key", perKeyExact);
        boolean reconciled = stats.offered() == load.answered.sum()
                && load.rejected.sum() == 0
                && stats.enqueued() == stats.sent() + stats.failedTotal()
                && perKeyExact
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
                ? "every request accounted for: answered = offered = accepted + dropped, sent = stored = counter total"
                        + " (per key too), nothing dead-lettered"
                : "RECORDS DO NOT RECONCILE: see the figures above");
    }
}
