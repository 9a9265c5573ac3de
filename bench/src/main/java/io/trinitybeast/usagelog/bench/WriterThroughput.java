package io.trinitybeast.usagelog.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.EnvelopeEncoder;
import io.trinitybeast.usagelog.envelope.PayloadCodecs;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.envelope.UuidV7;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import io.trinitybeast.usagelog.writer.BinaryCopy;
import io.trinitybeast.usagelog.writer.QueuedWriter;
import io.trinitybeast.usagelog.writer.RecordHandlers;
import io.trinitybeast.usagelog.writer.WriterDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The queued writer's throughput against a real PostgreSQL at default durability, beside the raw
 * ceiling measured in the same run: binary COPY of the same rows into a table with no key, no
 * index and no constraint.
 */
@Command(name = "writer", mixinStandardHelpOptions = true,
        description = "Writer records/s (100 single-record messages vs packed invocations; 1 and 4 writers) vs the binary COPY ceiling.")
final class WriterThroughput implements Callable<Integer> {

    @Option(names = "--database-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres",
            description = "A PostgreSQL server at default durability; a fresh database is created on it (default: ${DEFAULT-VALUE}).")
    String serverUrl;

    @Option(names = "--user", defaultValue = "postgres", description = "Database user (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(names = "--single-records", defaultValue = "100000", description = "Records for the single-record runs (default: ${DEFAULT-VALUE}).")
    int singleRecords;

    @Option(names = "--packed-records", defaultValue = "400000", description = "Records for the packed and COPY runs (default: ${DEFAULT-VALUE}).")
    int packedRecords;

    @Option(names = "--records-per-message", defaultValue = "270", description = "Records per packed message; ~64 KiB (default: ${DEFAULT-VALUE}).")
    int recordsPerMessage;

    @Option(names = "--messages-per-invocation", defaultValue = "20", description = "Packed messages per invocation (default: ${DEFAULT-VALUE}).")
    int messagesPerInvocation;

    @Option(names = "--writers", split = ",", defaultValue = "1,4", description = "Concurrent writers (default: ${DEFAULT-VALUE}).")
    List<Integer> writerCounts;

    @Option(names = "--keep-database", description = "Keep the benchmark's database afterwards (default: drop it).")
    boolean keepDatabase;

    private final UuidV7 ids = new UuidV7();
    private final EnvelopeEncoder encoder = new EnvelopeEncoder(PayloadCodecs.standard());
    private final SplittableRandom random = new SplittableRandom(42);

    @Override
    public Integer call() throws Exception {
        String databaseUrl = freshDatabase();
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(databaseUrl);
        dataSource.setUser(user);
        UsageLogSchema.migrate(dataSource);
        try (Connection c = connect(databaseUrl); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE copy_ceiling (event_id uuid, occurred_at timestamptz, api_key_id text, asset text,"
                    + " source text, response_time_us bigint, cache_tier text, node text)");
            // usage_logs' shape and daily partitions without its primary key: what partitioning costs, apart from the key.
            s.execute("CREATE TABLE copy_partitioned (LIKE copy_ceiling) PARTITION BY RANGE (occurred_at)");
            s.execute("CREATE TABLE copy_partitioned_recent PARTITION OF copy_partitioned"
                    + " FOR VALUES FROM (now() - interval '3 days') TO (now() + interval '3 days')");
        }
        System.out.printf("%-34s %8s %10s %9s %12s %12s%n", "case", "writers", "records", "seconds", "records/s", "vs COPY");
        // Warm-up, not reported: JIT, plans, the first partitions.
        runWriter(databaseUrl, invocations(20_000, recordsPerMessage, messagesPerInvocation), 1);
        for (int writers : writerCounts) {
            double ceiling = report("binary COPY, no key (ceiling)", writers, packedRecords,
                    runCopy(databaseUrl, "copy_ceiling", records(packedRecords), writers), 0);
            report("binary COPY, partitioned, no key", writers, packedRecords,
                    runCopy(databaseUrl, "copy_partitioned", records(packedRecords), writers), ceiling);
            report("binary COPY into usage_logs (PK)", writers, packedRecords,
                    runCopy(databaseUrl, "usage_logs (event_id, occurred_at, api_key_id, asset, source, response_time_us,"
                            + " cache_tier, node)", records(packedRecords), writers), ceiling);
            report("writer: 100 single-record msgs", writers, singleRecords,
                    runWriter(databaseUrl, invocations(singleRecords, 1, 100), writers), ceiling);
            report("writer: packed (" + recordsPerMessage * messagesPerInvocation + "/invocation)", writers, packedRecords,
                    runWriter(databaseUrl, invocations(packedRecords, recordsPerMessage, messagesPerInvocation), writers), ceiling);
        }
        System.out.println("idempotency (unique event id: COPY, ON CONFLICT when an id is stored) and current_usage"
                + " counters on in every writer run;");
        System.out.println("'binary COPY into usage_logs (PK)' bounds any writer that stores each id once through a unique index");
        if (keepDatabase) {
            System.out.println("database kept: " + databaseUrl);
        } else {
            try (Connection c = connect(serverUrl); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE " + databaseUrl.substring(databaseUrl.lastIndexOf('/') + 1)); // generated identifier
            }
        }
        return 0;
    }

    private static double report(String name, int writers, int records, double seconds, double ceiling) {
        double rate = records / seconds;
        System.out.printf("%-34s %8d %,10d %9.2f %,12.0f %12s%n", name, writers, records, seconds, rate,
                ceiling == 0 ? "1.00x" : String.format("%.2fx", rate / ceiling));
        return rate;
    }

    private String freshDatabase() throws SQLException {
        String name = "usagelog_bench_" + System.currentTimeMillis();
        try (Connection c = connect(serverUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name); // generated identifier; DDL takes no bind parameters
        }
        return serverUrl.substring(0, serverUrl.lastIndexOf('/') + 1) + name;
    }

    private Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", user);
        return DriverManager.getConnection(url, p);
    }

    private List<Envelope<UsageLog>> records(int n) {
        List<Envelope<UsageLog>> records = new ArrayList<>(n);
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            long at = now - random.nextInt(3_600_000);
            records.add(new Envelope<>(ids.next(at), UsageLog.TYPE, at, "bench-node",
                    new UsageLog("ak_live_" + random.nextInt(1000), "BTC", "binance", random.nextInt(500), "L1_MEMORY")));
        }
        return records;
    }

    /** Invocations, each a list of SQS messages, encoded before the clock starts. */
    private List<List<SQSMessage>> invocations(int records, int perMessage, int messagesPerInvocation) {
        List<Envelope<UsageLog>> all = records(records);
        List<List<SQSMessage>> invocations = new ArrayList<>();
        List<SQSMessage> current = new ArrayList<>();
        int id = 0;
        for (int i = 0; i < all.size(); i += perMessage) {
            List<Envelope<UsageLog>> part = all.subList(i, Math.min(all.size(), i + perMessage));
            SQSMessage message = new SQSMessage();
            message.setMessageId("m" + id++);
            message.setBody(encoder.encodeBody(part, perMessage > 1));
            current.add(message);
            if (current.size() == messagesPerInvocation) {
                invocations.add(current);
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            invocations.add(current);
        }
        return invocations;
    }

    private double runWriter(String url, List<List<SQSMessage>> invocations, int writers) throws Exception {
        List<QueuedWriter> instances = new ArrayList<>();
        List<WriterDatabase> databases = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            WriterDatabase database = new WriterDatabase(() -> new WriterDatabase.Credentials(url, user, null));
            databases.add(database);
            instances.add(new QueuedWriter(database, RecordHandlers.standard()));
        }
        try {
            return timed(writers, w -> {
                for (int i = w; i < invocations.size(); i += writers) {
                    if (!instances.get(w).write(invocations.get(i)).response().getBatchItemFailures().isEmpty()) {
                        throw new IllegalStateException("a benchmark message failed");
                    }
                }
            });
        } finally {
            databases.forEach(WriterDatabase::close);
        }
    }

    private double runCopy(String url, String table, List<Envelope<UsageLog>> records, int writers) throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < records.size(); i += 10_000) {
            chunks.add(binaryCopy(records.subList(i, Math.min(records.size(), i + 10_000))));
        }
        return timed(writers, w -> {
            try (Connection c = connect(url)) {
                c.setAutoCommit(false);
                for (int i = w; i < chunks.size(); i += writers) {
                    c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN (FORMAT binary)",
                            new ByteArrayInputStream(chunks.get(i)));
                    c.commit();
                }
            }
        });
    }

    /** One writer's share of a run. */
    private interface Share {
        void run(int writer) throws Exception;
    }

    /** Runs every writer's share on its own thread; returns the seconds until the last finished. */
    private static double timed(int writers, Share share) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            long started = System.nanoTime();
            List<Future<?>> running = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                running.add(pool.submit(() -> {
                    share.run(writer);
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            return (System.nanoTime() - started) / 1e9;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The same rows, in the binary COPY form the writer sends. */
    private static byte[] binaryCopy(List<Envelope<UsageLog>> records) throws IOException {
        BinaryCopy copy = new BinaryCopy(records.size());
        for (Envelope<UsageLog> r : records) {
            UsageLog log = r.payload();
            copy.row(8).uuid(r.id()).timestamptzMillis(r.timestampMillis()).text(log.apiKeyId()).text(log.asset())
                    .text(log.source()).int8(log.responseTimeUs()).text(log.cacheTier()).text(r.node());
        }
        return copy.finish();
    }
}
