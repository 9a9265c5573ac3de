package io.trinitybeast.usagelog.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.InMemoryParameterSource;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.ProducerSqsClient;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import io.trinitybeast.usagelog.server.ApiKeys;
import io.trinitybeast.usagelog.server.PriceCache;
import io.trinitybeast.usagelog.server.PriceServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The price server with usage logging on and off, in the same run: latency at a fixed request rate
 * below saturation (corrected for coordinated omission: measured from each request's scheduled
 * start), requests/s at saturation, and where the CPU goes, at the rate and at saturation. Modes run
 * interleaved, round after round, and figures are medians over rounds: off; on into the local SQS
 * (ElasticMQ, in a JVM of its own by default); on into an endpoint of its own process that accepts
 * at once (the whole client side without a queue's CPU); on with the SQS client stubbed in-process;
 * and off again, whose ratio to off is the noise floor of the comparison. The load generator runs in
 * this JVM, on the same two cores, for every mode alike.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Price-server latency at a fixed rate and requests/s at saturation, usage logging on vs off.")
final class ServerBenchmark implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "1000", description = "Fixed request rate for the latency runs (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup-seconds", defaultValue = "5", description = "Warm-up seconds per server (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--clients", defaultValue = "32", description = "Concurrent clients at saturation (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--rounds", defaultValue = "2", description = "Rounds of off/on; figures are medians (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--modes", split = ",", defaultValue = "off,on,instant,stubbed,off-again",
            description = "Modes to run, of off, on, instant, stubbed, off-again (default: ${DEFAULT-VALUE}).")
    List<String> modeNames;

    @Option(names = "--producer-parameter", paramLabel = "NAME=VALUE",
            description = "A producer parameter for the runs with logging on, e.g. sqs_flush_ms=250; repeatable (default: the producer's defaults).")
    Map<String, String> producerParameters = new java.util.LinkedHashMap<>();

    /** Where the local SQS runs. */
    enum SqsPlacement { SEPARATE_PROCESS, IN_PROCESS }

    @Option(names = "--sqs", defaultValue = "separate-process", converter = SqsPlacementConverter.class,
            description = "Where the local SQS runs: separate-process (its own JVM) or in-process (default: ${DEFAULT-VALUE}).")
    SqsPlacement sqsPlacement;

    static final class SqsPlacementConverter implements picocli.CommandLine.ITypeConverter<SqsPlacement> {
        @Override
        public SqsPlacement convert(String value) {
            return switch (value) {
                case "separate-process" -> SqsPlacement.SEPARATE_PROCESS;
                case "in-process" -> SqsPlacement.IN_PROCESS;
                default -> throw new picocli.CommandLine.TypeConversionException(
                        "--sqs must be separate-process or in-process, got " + value);
            };
        }
    }

    /**
     * An SQS endpoint as the runs see it: where, the queue, and the CPU its process has used so far,
     * or null when it runs in this JVM (its threads are then counted with the others).
     */
    private record Sqs(String name, URI endpoint, String queueUrl, java.util.function.LongSupplier cpuNanos) {}

    private Map<String, String> parameterValues;

    record Run(String mode, Histogram latency, double saturatedRps, Map<String, Long> cpuAtRate, Map<String, Long> cpuMillis) {}

    /**
     * Logging off; on, into the local SQS; on, into an endpoint in its own process that accepts
     * every message at once (the whole client side, almost none of a queue's CPU); on, into an
     * in-process stub of the SQS client (no SDK, no HTTP, no queue).
     */
    enum Mode {
        OFF("usage logging off"), ON("usage logging on"), ON_INSTANT_SQS("on, instant SQS"), ON_STUBBED_SQS("on, SQS stubbed"),
        /** The baseline measured a second time in the same round: the ratio of two identical runs is the noise floor. */
        OFF_AGAIN("off, again");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Mode> modes = new ArrayList<>();
        for (String name : modeNames) {
            modes.add(switch (name) {
                case "off" -> Mode.OFF;
                case "on" -> Mode.ON;
                case "instant" -> Mode.ON_INSTANT_SQS;
                case "stubbed" -> Mode.ON_STUBBED_SQS;
                case "off-again" -> Mode.OFF_AGAIN;
                default -> throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                        "--modes takes off, on, instant, stubbed, off-again; got " + name);
            });
        }
        if (!modes.contains(Mode.OFF)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--modes must include off, the baseline");
        }
        var parameters = new InMemoryParameterSource();
        try {
            producerParameters.forEach(parameters::set);
        } catch (IllegalArgumentException e) { // an unknown name, or a value out of range: the message names both
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--producer-parameter: " + e.getMessage());
        }
        this.parameterValues = parameters.values();
        List<Run> runs = new ArrayList<>();
        LocalSqs inProcess = null;
        SqsProcess separate = null;
        try (LocalDatabase db = LocalDatabase.startEmbedded(); SqsProcess instantProcess = SqsProcess.startInstantEndpoint()) {
            Sqs sqs;
            if (sqsPlacement == SqsPlacement.IN_PROCESS) {
                inProcess = LocalSqs.start(0);
                sqs = new Sqs("local SQS (ElasticMQ, this JVM)", inProcess.endpoint(), inProcess.createQueue("server-bench"), null);
            } else {
                separate = SqsProcess.startLocalSqs();
                sqs = new Sqs("local SQS (ElasticMQ, own process)", separate.endpoint(), separate.queueUrl(), separate::cpuNanos);
            }
            Sqs instant = new Sqs("instant SQS endpoint (own process)", instantProcess.endpoint(), instantProcess.queueUrl(),
                    instantProcess::cpuNanos);
            LocalDatabase.Database database = db.server();
            UsageLogSchema.migrate(database.dataSource());
            String secret;
            try (Connection c = database.connect()) {
                secret = ApiKeys.create(c, "ak_bench", "bench");
            }
            try (var admin = LocalSqs.newClient(sqs.endpoint(), 4)) {
                for (int round = 0; round < rounds; round++) {
                    for (Mode mode : modes) {
                        runs.add(run(mode == Mode.ON_INSTANT_SQS ? instant : sqs, database, secret, mode));
                    }
                    admin.purgeQueue(b -> b.queueUrl(sqs.queueUrl())).join();
                }
            }
        } finally {
            if (inProcess != null) {
                inProcess.close();
            }
            if (separate != null) {
                separate.close();
            }
        }
        System.out.printf("%nlocal SQS: %s; load generator: this JVM (%d workers at %d req/s; %d clients at saturation)%n",
                sqsPlacement == SqsPlacement.SEPARATE_PROCESS ? "its own JVM" : "this JVM", 16, rate, clients);
        print(runs, modes.size());
        return 0;
    }

    private Run run(Sqs sqs, LocalDatabase.Database database, String secret, Mode which) throws Exception {
        String mode = which.label;
        boolean logging = which != Mode.OFF && which != Mode.OFF_AGAIN;
        System.err.println("measuring " + mode + "...");
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        InMemoryParameterSource parameters = new InMemoryParameterSource();
        parameterValues.forEach(parameters::set);
        // Warm-up flushes every millisecond, so that the SDK's per-call path (marshalling, signing, the
        // CRT's HTTP) and the queue are JIT-compiled as in a server that has run for a while; at 10 calls/s
        // the measured minutes would otherwise run it interpreted and count the compiler's work.
        long flushMs = Long.parseLong(parameterValues.getOrDefault(ProducerParameter.FLUSH_MS.parameterName(),
                Long.toString(ProducerParameter.FLUSH_MS.defaultValue())));
        parameters.set(ProducerParameter.FLUSH_MS, 1);
        UsageLogProducer producer = UsageLogProducer.builder()
                .sqs(which == Mode.ON_STUBBED_SQS ? new StubSqs()
                        : ProducerSqsClient.create(sqs.endpoint(), LocalSqs.REGION, LocalSqs.CREDENTIALS, 64)).closeClient(true)
                .queueUrl(sqs.queueUrl()).node("bench").parameters(parameters).meterRegistry(registry).start();
        PriceServer server = PriceServer.start("127.0.0.1", 0, PriceCache.demo(), ApiKeys.load(database::connect, 300), producer,
                registry, logging);
        URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/price/BTC?source=binance");
        try {
            fixedRate(uri, secret, rate, Duration.ofSeconds(warmupSeconds), null, new LongAdder());
            parameters.set(ProducerParameter.FLUSH_MS, flushMs);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (producer.settings().flushMs() != flushMs) { // applied at the flusher's next tick, within a millisecond
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the producer did not apply sqs_flush_ms=" + flushMs);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            boolean sqsOwnProcess = logging && which != Mode.ON_STUBBED_SQS && sqs.cpuNanos() != null;
            Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            Measured atRate = measured(sqs, sqsOwnProcess, cpu -> {
                fixedRate(uri, secret, rate, Duration.ofSeconds(seconds), latency, cpu);
                return 0;
            });
            Measured saturated = measured(sqs, sqsOwnProcess, cpu -> saturate(uri, secret, clients, Duration.ofSeconds(seconds), cpu));
            return new Run(mode, latency, saturated.result(), atRate.cpuMillis(), saturated.cpuMillis());
        } finally {
            CloseReport report = server.stop(Duration.ofSeconds(30));
            if (logging && report.stats().dropped() > 0) {
                System.err.println("note: " + report.stats().dropped() + " usage records dropped (buffer full) at saturation");
            }
        }
    }

    /** What a load returned, and the CPU (ms) by thread group while it ran. */
    private record Measured(double result, Map<String, Long> cpuMillis) {}

    /** A load that reports its client threads' CPU, which it must read before those threads end. */
    private interface Load {
        double run(LongAdder clientCpu) throws Exception;
    }

    private static Measured measured(Sqs sqs, boolean sqsOwnProcess, Load load) throws Exception {
        Map<Long, Long> before = cpuByThread();
        long processBefore = processCpu();
        long sqsBefore = sqsOwnProcess ? sqs.cpuNanos().getAsLong() : 0;
        LongAdder clientCpu = new LongAdder();
        double result = load.run(clientCpu);
        Map<String, Long> cpu = cpuByGroup(before, processBefore, clientCpu.sum());
        if (sqsOwnProcess) {
            cpu.put(sqs.name(), (sqs.cpuNanos().getAsLong() - sqsBefore) / 1_000_000);
        }
        return new Measured(result, cpu);
    }

    /** Open loop: request i is due at start + i/rate, and its latency counts from then, not from when it went out. */
    private static void fixedRate(URI uri, String secret, int rate, Duration duration, Histogram latency, LongAdder workerCpu)
            throws Exception {
        int workers = 16;
        long start = System.nanoTime();
        long total = rate * duration.toSeconds();
        AtomicLong next = new AtomicLong();
        Histogram[] perWorker = new Histogram[workers];
        Thread[] threads = new Thread[workers];
        for (int w = 0; w < workers; w++) {
            int worker = w;
            perWorker[w] = new Histogram(TimeUnit.SECONDS.toNanos(30), 3);
            threads[w] = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest request = HttpRequest.newBuilder(uri).header("X-API-Key", secret).build();
                long n;
                while ((n = next.getAndIncrement()) < total) {
                    long due = start + n * 1_000_000_000L / rate;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait); // may return early: never send before the request is due
                    }
                    try {
                        http.send(request, HttpResponse.BodyHandlers.discarding());
                    } catch (Exception e) {
                        continue;
                    }
                    perWorker[worker].recordValue(Math.min(System.nanoTime() - due, perWorker[worker].getHighestTrackableValue()));
                }
                workerCpu.add(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()); // before the thread is gone
            }, "bench-rate-" + worker);
            threads[w].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (latency != null) {
            for (Histogram h : perWorker) {
                latency.add(h);
            }
        }
    }

    /** Closed loop: each client sends its next request when the last one is answered. */
    private static double saturate(URI uri, String secret, int clients, Duration duration, LongAdder clientCpu) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong answered = new AtomicLong();
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            threads[c] = new Thread(() -> {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                HttpRequest request = HttpRequest.newBuilder(uri).header("X-API-Key", secret).build();
                while (System.nanoTime() < end) {
                    try {
                        if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                            answered.incrementAndGet();
                        }
                    } catch (Exception e) {
                        // counted as not answered
                    }
                }
                clientCpu.add(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime()); // before the thread is gone
            }, "bench-client-" + c);
            threads[c].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        return answered.get() / (double) duration.toSeconds();
    }

    private static Map<Long, Long> cpuByThread() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new java.util.HashMap<>();
        for (long id : threads.getAllThreadIds()) {
            long nanos = threads.getThreadCpuTime(id);
            if (nanos > 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU (ms) spent during the saturation run, by thread group: per-thread deltas of the JVM's threads,
     * the load generator's clients as they reported before exiting, and the rest of the process's
     * CPU, which is native threads (the CRT's HTTP event loops) and threads that came and went.
     */
    private static Map<String, Long> cpuByGroup(Map<Long, Long> before, long processBefore, long clientNanos) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Map<String, Long> groups = new TreeMap<>();
        long accounted = clientNanos;
        groups.put("load generator (JDK HttpClient)", clientNanos);
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null || info.getThreadName().startsWith("bench-client") || info.getThreadName().startsWith("bench-rate")) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId()) - before.getOrDefault(info.getThreadId(), 0L);
            if (nanos > 0) {
                accounted += nanos;
                groups.merge(group(info.getThreadName()), nanos, Long::sum);
            }
        }
        groups.put("other (native: CRT HTTP; short-lived threads)", Math.max(0, processCpu() - processBefore - accounted));
        Map<String, Long> millis = new TreeMap<>();
        groups.forEach((group, nanos) -> millis.put(group, nanos / 1_000_000));
        return millis;
    }

    private static String group(String thread) {
        if (thread.startsWith("vert.x-eventloop")) {
            return "price server (Vert.x event loops)";
        }
        if (thread.startsWith("HttpClient")) {
            return "load generator (JDK HttpClient)";
        }
        if (thread.startsWith("usagelog-producer")) {
            return "producer (flusher, retries)";
        }
        if (thread.startsWith("sdk-") || thread.startsWith("aws-")) {
            return "AWS SDK";
        }
        if (thread.contains("pekko") || thread.contains("elasticmq") || thread.contains("default-dispatcher")) {
            return "local SQS (ElasticMQ)";
        }
        if (thread.startsWith("GC") || thread.startsWith("G1") || thread.contains("Compiler")) {
            return "JVM (GC, JIT)";
        }
        return "other JVM threads";
    }

    private static void print(List<Run> runs, int modesPerRound) {
        System.out.printf("%n%-20s %9s %9s %10s %14s%n", "mode (median)", "p50 µs", "p99 µs", "p99.9 µs", "saturated rps");
        Map<String, double[]> medians = new TreeMap<>();
        for (Mode m : Mode.values()) {
            String mode = m.label;
            List<Run> same = runs.stream().filter(r -> r.mode().equals(mode)).toList();
            if (same.isEmpty()) {
                continue;
            }
            double p50 = median(same.stream().mapToDouble(r -> r.latency().getValueAtPercentile(50) / 1000.0).toArray());
            double p99 = median(same.stream().mapToDouble(r -> r.latency().getValueAtPercentile(99) / 1000.0).toArray());
            double p999 = median(same.stream().mapToDouble(r -> r.latency().getValueAtPercentile(99.9) / 1000.0).toArray());
            double rps = median(same.stream().mapToDouble(Run::saturatedRps).toArray());
            medians.put(mode, new double[] {p50, p99, p999, rps});
            System.out.printf("%-20s %9.0f %9.0f %10.0f %,14.0f%n", mode, p50, p99, p999, rps);
        }
        double[] off = medians.get(Mode.OFF.label);
        for (Mode m : new Mode[] {Mode.ON, Mode.ON_INSTANT_SQS, Mode.ON_STUBBED_SQS, Mode.OFF_AGAIN}) {
            double[] on = medians.get(m.label);
            if (on == null) {
                continue;
            }
            System.out.printf("%n%s / off: p50 %.3fx, p99 %.3fx, p99.9 %.3fx, saturated requests/s %.3fx", m.label,
                    on[0] / off[0], on[1] / off[1], on[2] / off[2], on[3] / off[3]);
        }
        System.out.println("\n\nCPU, ms over each run (last round): at the fixed rate | at saturation");
        for (Run r : runs.subList(Math.max(0, runs.size() - modesPerRound), runs.size())) {
            System.out.println("  " + r.mode() + ":");
            Map<String, Long> groups = new TreeMap<>(r.cpuMillis());
            r.cpuAtRate().keySet().forEach(g -> groups.putIfAbsent(g, 0L));
            groups.forEach((group, ms) -> System.out.printf("    %-46s %,8d | %,8d%n", group, r.cpuAtRate().getOrDefault(group, 0L), ms));
        }
    }

    private static double median(double[] values) {
        java.util.Arrays.sort(values);
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
