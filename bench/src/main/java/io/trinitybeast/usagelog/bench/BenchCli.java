package io.trinitybeast.usagelog.bench;

import io.trinitybeast.usagelog.peers.LocalSqs;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./usagelog bench ...}: the project's benchmarks, each reporting ratios against a baseline run beside it. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the queued usage-log pipeline.",
        subcommands = {BenchCli.Producer.class, BenchCli.Throughput.class, ProducerLatency.class, WriterThroughput.class,
            ServerBenchmark.class})
public final class BenchCli {

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCli()).execute(args));
    }

    @Command(name = "producer", mixinStandardHelpOptions = true,
            description = "The producer's whole benchmark: records/s packed vs single, then send() latency vs the SDK's batch manager.")
    static final class Producer implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            int throughput = new CommandLine(new Throughput()).execute();
            int latency = new CommandLine(new ProducerLatency()).execute();
            return Math.max(throughput, latency);
        }
    }

    @Command(name = "throughput", mixinStandardHelpOptions = true,
            description = "Records/s into embedded ElasticMQ: packed vs one record per message.")
    static final class Throughput implements Callable<Integer> {
        @Option(names = "--single-records", defaultValue = "40000", description = "Records for the one-per-message run (default: ${DEFAULT-VALUE}).")
        long singleRecords;

        @Option(names = "--packed-records", defaultValue = "2000000", description = "Records for each packed run (default: ${DEFAULT-VALUE}).")
        long packedRecords;

        @Option(names = "--senders", defaultValue = "2", description = "Sending threads (default: ${DEFAULT-VALUE}).")
        int senders;

        @Override
        public Integer call() throws Exception {
            try (LocalSqs sqs = LocalSqs.start(0)) {
                // Warm-up: JIT, connection pool, ElasticMQ's own warm-up; not reported.
                ProducerThroughput.run(sqs, "warmup", 65_536, packedRecords / 4, senders);
                ProducerThroughput.run(sqs, "warmup-single", 0, singleRecords / 4, senders);
                ProducerThroughput.Result single = ProducerThroughput.run(sqs, "single", 0, singleRecords, senders);
                System.out.printf("%-22s %12s %10s %10s %8s %14s%n", "mode", "records", "seconds", "messages", "calls", "records/s");
                print(single, single);
                for (long pack : new long[] {8_192, 16_384, 65_536, 262_144, 1_048_576}) {
                    print(ProducerThroughput.run(sqs, "packed-" + pack, pack, packedRecords, senders), single);
                }
            }
            return 0;
        }

        private static void print(ProducerThroughput.Result r, ProducerThroughput.Result baseline) {
            System.out.printf("%-22s %,12d %10.2f %,10d %,8d %,14.0f   %6.1fx single%s%n", r.label(), r.records(), r.seconds(),
                    r.messages(), r.calls(), r.recordsPerSecond(), r.recordsPerSecond() / baseline.recordsPerSecond(),
                    r.dropped() > 0 ? "  (" + r.dropped() + " dropped/failed)" : "");
        }
    }
}
