package io.trinitybeast.usagelog.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.EnvelopeEncoder;
import io.trinitybeast.usagelog.envelope.PayloadCodecs;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.envelope.UuidV7;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.InMemoryParameterSource;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.batchmanager.SqsAsyncBatchManager;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The hot path as a request thread sees it: the latency of one {@code send()} call and the bytes it
 * allocates, with 1, 2 and 4 sending threads at a paced rate, against the AWS SDK's
 * {@code SqsAsyncBatchManager.sendMessage()} in the same run, same rate, same local SQS. Then the
 * drop path: SQS down and the buffer full.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "send() latency and allocation vs SqsAsyncBatchManager.sendMessage(), 1/2/4 threads, and the drop path.")
final class ProducerLatency implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "4000",
            description = "Calls per second across all threads; low enough that the baseline keeps up with ElasticMQ (default: ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per case (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "4", description = "Unmeasured seconds before each case (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--threads", split = ",", defaultValue = "1,2,4", description = "Sending thread counts (default: ${DEFAULT-VALUE}).")
    List<Integer> threadCounts;

    @Option(names = "--repeat", defaultValue = "3",
            description = "Rounds; each figure reported is the median over rounds, as this machine is noisy (default: ${DEFAULT-VALUE}).")
    int repeat;

    /** One thing under test: a call a request thread makes per record. */
    interface Target extends AutoCloseable {
        void call(int thread);

        @Override
        void close();
    }

    record Result(String name, int threads, Histogram latencyNanos, Histogram floorNanos, double bytesPerCall, long calls) {}

    private static final UsageLog PAYLOAD = new UsageLog("ak_live_abc123", "BTC", "binance", 42, "L1_MEMORY");

    @Override
    public Integer call() throws Exception {
        List<List<Result>> rounds = new ArrayList<>();
        for (int round = 0; round < repeat; round++) {
            rounds.add(round());
        }
        print(median(rounds));
        return 0;
    }

    /** One round: per thread count the producer (over ElasticMQ, then stubbed) and the baseline; then the drop path. */
    private List<Result> round() throws Exception {
        List<Result> results = new ArrayList<>();
        try (LocalSqs sqs = LocalSqs.start(0)) {
            for (int threads : threadCounts) {
                results.add(measure("producer.send", threads, producer(sqs, 50_000)));
                results.add(measure("producer.send (SQS stubbed, no ElasticMQ)", threads, stubbed()));
                results.add(measure("SqsAsyncBatchManager.sendMessage", threads, batchManager(sqs)));
            }
        }
        // The drop path: SQS unreachable, so the buffer fills and every further send() drops.
        try (LocalSqs down = LocalSqs.start(0)) {
            String url = down.provision().queueUrl();
            Target full = producer(down, url, 1_000);
            Target baselineDown = batchManager(down, url);
            down.close();
            results.add(measure("producer.send (SQS down, buffer full: drop)", 1, full));
            results.add(measure("SqsAsyncBatchManager.sendMessage (SQS down)", 1, baselineDown));
        }
        return results;
    }

    /** Per case, the median over rounds of each figure. */
    private static List<Summary> median(List<List<Result>> rounds) {
        List<Summary> summaries = new ArrayList<>();
        for (int i = 0; i < rounds.get(0).size(); i++) {
            int index = i;
            List<Result> same = rounds.stream().map(r -> r.get(index)).toList();
            summaries.add(new Summary(same.get(0).name(), same.get(0).threads(),
                    same.stream().mapToLong(Result::calls).sum(),
                    med(same, r -> r.latencyNanos().getValueAtPercentile(50)),
                    med(same, r -> r.latencyNanos().getValueAtPercentile(99)),
                    med(same, r -> r.latencyNanos().getValueAtPercentile(99.9)),
                    med(same, r -> r.latencyNanos().getMaxValue()),
                    med(same, r -> r.floorNanos().getValueAtPercentile(99.9)),
                    same.stream().mapToDouble(Result::bytesPerCall).sorted().toArray()[same.size() / 2]));
        }
        return summaries;
    }

    private static long med(List<Result> results, java.util.function.ToLongFunction<Result> figure) {
        long[] values = results.stream().mapToLong(figure).sorted().toArray();
        return values[values.length / 2];
    }

    record Summary(String name, int threads, long calls, long p50, long p99, long p999, long max, long floorP999,
            double bytesPerCall) {}

    private static Target stubbed() {
        SqsAsyncClient stub = new StubSqs();
        UsageLogProducer producer = UsageLogProducer.builder().sqs(stub).queueUrl("stub").node("bench")
                .meterRegistry(new SimpleMeterRegistry()).start();
        return new Target() {
            @Override public void call(int thread) { producer.send(UsageLog.TYPE, PAYLOAD); }
            @Override public void close() { producer.close(Duration.ofSeconds(2)); }
        };
    }

    private Target producer(LocalSqs sqs, int bufferSize) {
        return producer(sqs, sqs.provision("latency-" + System.nanoTime(), 60, 5).queueUrl(), bufferSize);
    }

    private static Target producer(LocalSqs sqs, String url, int bufferSize) {
        UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(64)).closeClient(true).queueUrl(url)
                .node("bench").meterRegistry(new SimpleMeterRegistry())
                .parameters(new InMemoryParameterSource().set(ProducerParameter.BUFFER_SIZE, bufferSize)
                        .set(ProducerParameter.TIMEOUT_MS, 500).set(ProducerParameter.RETRY_MAX_MS, 200))
                .start();
        return new Target() {
            @Override
            public void call(int thread) {
                producer.send(UsageLog.TYPE, PAYLOAD);
            }

            @Override
            public void close() {
                producer.close(Duration.ofSeconds(2));
            }
        };
    }

    private Target batchManager(LocalSqs sqs) {
        return batchManager(sqs, sqs.provision("latency-baseline-" + System.nanoTime(), 60, 5).queueUrl());
    }

    /** The SDK's own answer to "batch my messages": given its best case, a request built ahead of time. */
    private static Target batchManager(LocalSqs sqs, String url) {
        SqsAsyncClient client = sqs.newClient(64);
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        SqsAsyncBatchManager manager = SqsAsyncBatchManager.builder().client(client).scheduledExecutor(scheduler)
                .overrideConfiguration(c -> c.maxBatchSize(10).sendRequestFrequency(Duration.ofMillis(100))).build();
        String body = new String(new EnvelopeEncoder(PayloadCodecs.standard())
                .encode(new Envelope<>(new UuidV7().next(System.currentTimeMillis()), UsageLog.TYPE,
                        System.currentTimeMillis(), "bench", PAYLOAD)), java.nio.charset.StandardCharsets.US_ASCII);
        SendMessageRequest request = SendMessageRequest.builder().queueUrl(url).messageBody(body).build();
        return new Target() {
            @Override
            public void call(int thread) {
                manager.sendMessage(request);
            }

            @Override
            public void close() {
                manager.close();
                scheduler.shutdownNow();
                client.close();
            }
        };
    }

    private Result measure(String name, int threads, Target target) throws InterruptedException {
        try (target) {
            System.err.printf("measuring %s with %d thread(s)...%n", name, threads);
            Histogram[] histograms = new Histogram[threads];
            Histogram[] floors = new Histogram[threads];
            long[] allocated = new long[threads];
            long[] calls = new long[threads];
            Thread[] workers = new Thread[threads];
            double perThreadPerNano = rate / (double) threads / 1e9;
            for (int t = 0; t < threads; t++) {
                int thread = t;
                histograms[t] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                floors[t] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                workers[t] = new Thread(() -> {
                    pace(target, thread, perThreadPerNano, TimeUnit.SECONDS.toNanos(warmupSeconds), null, null, null);
                    long[] counted = new long[1];
                    long before = allocatedBytes();
                    pace(target, thread, perThreadPerNano, TimeUnit.SECONDS.toNanos(seconds), histograms[thread], floors[thread],
                            counted);
                    allocated[thread] = allocatedBytes() - before;
                    calls[thread] = counted[0];
                }, "bench-sender-" + t);
                workers[t].start();
            }
            Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            Histogram floor = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            long totalCalls = 0;
            long totalBytes = 0;
            for (int t = 0; t < threads; t++) {
                workers[t].join();
                all.add(histograms[t]);
                floor.add(floors[t]);
                totalCalls += calls[t];
                totalBytes += allocated[t];
            }
            return new Result(name, threads, all, floor, totalBytes / (double) Math.max(1, totalCalls), totalCalls);
        }
    }

    /**
     * Calls at a steady rate, timing each call alone, and beside it an empty timed region (the floor). Between calls the thread parks, then spins
     * the last {@value #SPIN_NANOS} ns, so a call starts on a running thread as it would in a busy
     * server rather than on one the OS just woke; the pacing itself is never timed.
     */
    private static void pace(Target target, int thread, double perNano, long duration, Histogram histogram, Histogram floor,
            long[] counted) {
        long start = System.nanoTime();
        long interval = (long) (1 / perNano);
        long done = 0;
        for (long due = start; due - start < duration; due += interval) {
            long wait = due - System.nanoTime();
            if (wait > SPIN_NANOS) {
                LockSupport.parkNanos(wait - SPIN_NANOS);
            }
            while (System.nanoTime() - due < 0) {
                Thread.onSpinWait();
            }
            long t0 = System.nanoTime();
            target.call(thread);
            long t1 = System.nanoTime();
            // The harness floor, timed right after under the same load: two clock reads around nothing.
            long t2 = System.nanoTime();
            long t3 = System.nanoTime();
            if (histogram != null) {
                histogram.recordValue(Math.min(t1 - t0, histogram.getHighestTrackableValue()));
                floor.recordValue(Math.min(t3 - t2, floor.getHighestTrackableValue()));
            }
            done++;
        }
        if (counted != null) {
            counted[0] = done;
        }
    }

    private static final long SPIN_NANOS = 50_000;

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void print(List<Summary> rows) {
        System.out.printf("%n%-44s %7s %9s %8s %9s %11s %12s %10s %11s%n", "send path (median of rounds)", "threads", "calls",
                "p50 ns", "p99 ns", "p99.9 ns", "max ns", "bytes/call", "floor p99.9");
        for (Summary r : rows) {
            System.out.printf("%-44s %7d %,9d %,8d %,9d %,11d %,12d %10.1f %,11d%n", r.name(), r.threads(), r.calls(), r.p50(),
                    r.p99(), r.p999(), r.max(), r.bytesPerCall(), r.floorP999());
        }
        System.out.println();
        System.out.println("floor p99.9: an empty timed region measured right after each call, under the same load");
        for (Summary ours : rows) {
            if (!ours.name().startsWith("producer.send")) {
                continue;
            }
            Summary baseline = rows.stream().filter(r -> r.name().startsWith("SqsAsyncBatchManager") && r.threads() == ours.threads()
                    && r.name().contains("down") == ours.name().contains("down")).findFirst().orElseThrow();
            System.out.printf("%-44s p99.9 %,7d ns vs baseline %,11d ns: %,6.0fx lower%n", ours.name() + " x" + ours.threads(),
                    ours.p999(), baseline.p999(), baseline.p999() / (double) Math.max(1, ours.p999()));
        }
    }
}
