package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalSqs;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.InMemoryParameterSource;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.ProducerStats;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code usagelog demo}: the pipeline on this machine with nothing to set up. Senders call the
 * producer as the price server's request threads will; an embedded SQS carries the records; a
 * reader takes them off the queue; then every record is accounted for.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs the pipeline locally on embedded defaults and reconciles every record.",
            "Senders -> producer -> embedded SQS (ElasticMQ on loopback) -> queue reader."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--records", description = "Usage-log records to send (default: ${DEFAULT-VALUE}).", defaultValue = "200000")
    long records;

    @Option(names = "--rate", description = "Records per second across all senders; 0 = as fast as they can (default: ${DEFAULT-VALUE}).",
            defaultValue = "50000")
    long rate;

    @Option(names = "--senders", description = "Concurrent sending threads, 1-64 (default: ${DEFAULT-VALUE}).", defaultValue = "4")
    int senders;

    @Option(names = "--api-keys", description = "Distinct API keys, 1-100000 (default: ${DEFAULT-VALUE}).", defaultValue = "10")
    int apiKeys;

    @Option(names = "--pack-bytes", description = "sqs_pack_bytes: records packed per message up to this many bytes; 0 = one per message (default: ${DEFAULT-VALUE}).",
            defaultValue = "65536")
    long packBytes;

    @Option(names = "--buffer-size", description = "sqs_buffer_size: records the producer buffers before dropping (default: ${DEFAULT-VALUE}).",
            defaultValue = "50000")
    long bufferSize;

    @Option(names = "--json", description = "Print the summary as JSON instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        InMemoryParameterSource parameters = new InMemoryParameterSource()
                .set(ProducerParameter.PACK_BYTES, packBytes)
                .set(ProducerParameter.BUFFER_SIZE, bufferSize);
        long started = System.nanoTime();
        try (LocalSqs sqs = LocalSqs.start(0)) {
            LocalSqs.Queues queues = sqs.provision();
            if (!json) {
                out.printf("local SQS at %s, queue %s%n", sqs.endpoint(), queues.queueUrl());
                out.flush();
            }
            UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(64)).closeClient(true)
                    .queueUrl(queues.queueUrl()).node("demo-node").parameters(parameters)
                    .meterRegistry(new SimpleMeterRegistry()).start();
            QueueReader reader = new QueueReader(sqs.client(), queues.queueUrl(), 4);
            Progress progress = new Progress(out, !json, producer, reader, records);
            progress.start();

            runSenders(producer);
            CloseReport closed = producer.close(Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (reader.uniqueRecords() < closed.stats().sent() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            reader.close();
            progress.stop();
            Map<String, Object> summary = summary(closed, reader, (System.nanoTime() - started) / 1e9);
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
        try {
            ProducerParameter.PACK_BYTES.check(packBytes);
            ProducerParameter.BUFFER_SIZE.check(bufferSize);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Each sender paces itself to its share of the rate, in 1 ms steps, as request threads would arrive. */
    private void runSenders(UsageLogProducer producer) throws InterruptedException {
        Thread[] threads = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            long share = records / senders + (s < records % senders ? 1 : 0);
            double perMilli = rate == 0 ? 0 : (double) rate / senders / 1000.0;
            threads[s] = new Thread(() -> send(producer, share, perMilli), "demo-sender-" + s);
            threads[s].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private void send(UsageLogProducer producer, long count, double perMilli) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        String[] assets = {"BTC", "ETH", "SOL", "XRP", "ADA"};
        String[] sources = {"binance", "coinbase", "kraken"};
        long start = System.nanoTime();
        for (long i = 0; i < count; i++) {
            if (perMilli > 0) {
                long due = start + (long) (i / perMilli * 1_000_000);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
            producer.send(UsageLog.TYPE, new UsageLog("ak_demo_" + random.nextInt(apiKeys), assets[random.nextInt(assets.length)],
                    sources[random.nextInt(sources.length)], 20 + random.nextInt(200), "L1_MEMORY"));
        }
    }

    private Map<String, Object> summary(CloseReport closed, QueueReader reader, double seconds) {
        ProducerStats stats = closed.stats();
        Histogram lag = reader.lag()[1];
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("offered", stats.offered());
        summary.put("accepted", stats.enqueued());
        summary.put("dropped", Map.of("buffer_full", stats.droppedBufferFull(), "closed", stats.droppedClosed(),
                "invalid", stats.droppedInvalid()));
        summary.put("sent", stats.sent());
        summary.put("failed", stats.failed());
        summary.put("retried", stats.retried());
        summary.put("sqs_messages", stats.messagesSent());
        summary.put("send_message_batch_calls", stats.batchCalls());
        summary.put("received", reader.records.sum());
        summary.put("received_unique", reader.uniqueRecords());
        summary.put("duplicates", reader.duplicates.sum());
        summary.put("rejected", reader.rejected.sum());
        summary.put("lag_ms", Map.of("p50", lag.getValueAtPercentile(50), "p99", lag.getValueAtPercentile(99),
                "max", lag.getMaxValue()));
        summary.put("seconds", Math.round(seconds * 100) / 100.0);
        boolean reconciled = stats.offered() == records
                && stats.enqueued() == stats.sent() + stats.failedTotal()
                && reader.uniqueRecords() == stats.sent()
                && reader.rejected.sum() == 0
                && closed.clean();
        summary.put("reconciled", reconciled);
        return summary;
    }

    private static void printSummary(PrintWriter out, Map<String, Object> s) {
        out.println();
        out.println("reconciliation");
        s.forEach((key, value) -> out.printf("  %-26s %s%n", key, value instanceof Long l ? String.format("%,d", l) : value));
        out.println(Boolean.TRUE.equals(s.get("reconciled"))
                ? "every record accounted for: sent = received, drops and failures counted"
                : "RECORDS DO NOT RECONCILE: see the figures above");
    }
}
