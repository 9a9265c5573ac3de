package io.trinitybeast.usagelog.writer;

import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.PayloadCodec;
import io.trinitybeast.usagelog.envelope.UsageLog;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import org.postgresql.PGConnection;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stores {@code usage_log} records and moves {@code current_usage} by exactly the records newly
 * stored, in two statements.
 *
 * <p>Fast path, the normal case where no record was stored before: a binary COPY of every record
 * into {@code usage_logs}, then one upsert of the per-(key, month) counts aggregated here. If any
 * id is already stored (a re-delivery, a producer retry, a concurrent writer), COPY fails on the
 * primary key, the work is rolled back to a savepoint, and the exact path runs instead: one
 * statement inserting with {@code ON CONFLICT DO NOTHING} and counting only the rows it inserted.
 * Either way the transaction stores each id once and counts it once.
 *
 * <p>Lock order is fixed, so concurrent writers cannot deadlock: usage_logs rows are inserted in
 * event-id order (the caller sorts them), and every usage_logs insert precedes the counter upserts,
 * which run in (api_key_id, period_start) order. (Unordered counter upserts from 4 writers
 * deadlocked here and cut throughput 100x.)
 */
public final class UsageLogStore implements RecordHandler<UsageLog> {

    static final String INSERT = """
            WITH input AS (
                SELECT * FROM unnest(?::uuid[], ?::int8[], ?::text[], ?::text[], ?::text[], ?::int8[], ?::text[], ?::text[])
                    AS t(event_id, occurred_ms, api_key_id, asset, source, response_time_us, cache_tier, node)
            ), inserted AS (
                INSERT INTO usage_logs (event_id, occurred_at, api_key_id, asset, source, response_time_us, cache_tier, node)
                SELECT event_id, timestamptz 'epoch' + occurred_ms * interval '1 millisecond',
                       api_key_id, asset, source, response_time_us, cache_tier, node
                FROM input
                ON CONFLICT DO NOTHING
                RETURNING api_key_id, occurred_at
            ), counted AS (
                SELECT api_key_id, date_trunc('month', occurred_at AT TIME ZONE 'UTC')::date AS period_start,
                       count(*) AS requests, max(occurred_at) AS last_seen_at
                FROM inserted
                GROUP BY 1, 2
            ), counters AS (
                INSERT INTO current_usage AS cu (api_key_id, period_start, request_count, last_seen_at)
                SELECT api_key_id, period_start, requests, last_seen_at FROM counted ORDER BY api_key_id, period_start
                ON CONFLICT (api_key_id, period_start) DO UPDATE
                SET request_count = cu.request_count + EXCLUDED.request_count,
                    last_seen_at = GREATEST(cu.last_seen_at, EXCLUDED.last_seen_at),
                    updated_at = now()
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM counters)
            """;

    /** Days whose partition this container knows exists. */
    private final Set<LocalDate> knownPartitions = ConcurrentHashMap.newKeySet();

    @Override
    public PayloadCodec<UsageLog> codec() {
        return UsageLog.CODEC;
    }

    @Override
    public void prepare(Connection autocommit, List<Envelope<UsageLog>> records) throws SQLException {
        Set<LocalDate> missing = new TreeSet<>();
        for (Envelope<UsageLog> record : records) {
            LocalDate day = LocalDate.ofInstant(record.timestamp(), ZoneOffset.UTC);
            if (!knownPartitions.contains(day)) {
                missing.add(day);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        // Creating a partition locks the parent table: done in its own short transaction, never in the insert's.
        try (PreparedStatement ensure = autocommit.prepareStatement("SELECT usagelog_ensure_partition(?)")) {
            for (LocalDate day : missing) {
                ensure.setDate(1, Date.valueOf(day));
                try (ResultSet ignored = ensure.executeQuery()) {
                    knownPartitions.add(day);
                }
            }
        }
    }

    static final String COPY = "COPY usage_logs (event_id, occurred_at, api_key_id, asset, source, response_time_us, cache_tier, node)"
            + " FROM STDIN (FORMAT binary)";

    static final String COUNT = """
            INSERT INTO current_usage AS cu (api_key_id, period_start, request_count, last_seen_at)
            SELECT c.api_key_id, c.period_start, c.requests, timestamptz 'epoch' + c.last_seen_ms * interval '1 millisecond'
            FROM unnest(?::text[], ?::date[], ?::int8[], ?::int8[]) AS c(api_key_id, period_start, requests, last_seen_ms)
            ORDER BY 1, 2
            ON CONFLICT (api_key_id, period_start) DO UPDATE
            SET request_count = cu.request_count + EXCLUDED.request_count,
                last_seen_at = GREATEST(cu.last_seen_at, EXCLUDED.last_seen_at),
                updated_at = now()
            """;

    private static final String UNIQUE_VIOLATION = "23505";

    @Override
    public int write(Connection transaction, List<Envelope<UsageLog>> records) throws SQLException {
        Savepoint beforeCopy = transaction.setSavepoint();
        try {
            copy(transaction, records);
            count(transaction, records);
            transaction.releaseSavepoint(beforeCopy);
            return records.size();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            transaction.rollback(beforeCopy); // some id is stored already: the exact path decides which
            return insertNew(transaction, records);
        }
    }

    private static void copy(Connection transaction, List<Envelope<UsageLog>> records) throws SQLException {
        byte[] rows;
        try {
            BinaryCopy copy = new BinaryCopy(records.size());
            for (Envelope<UsageLog> record : records) {
                UsageLog log = record.payload();
                copy.row(8).uuid(record.id()).timestamptzMillis(record.timestampMillis()).text(log.apiKeyId()).text(log.asset())
                        .text(log.source()).int8(log.responseTimeUs()).text(log.cacheTier()).text(record.node());
            }
            rows = copy.finish();
        } catch (IOException e) {
            throw new SQLException("cannot encode rows for COPY", e);
        }
        try {
            transaction.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY, new ByteArrayInputStream(rows));
        } catch (IOException e) {
            throw new SQLException("COPY failed", "08006", e);
        }
    }

    /** Adds every record to its (api key, UTC month) counter, in key order. */
    private static void count(Connection transaction, List<Envelope<UsageLog>> records) throws SQLException {
        Map<String, Map<LocalDate, long[]>> counts = new TreeMap<>(); // key -> month -> {requests, last seen}
        for (Envelope<UsageLog> record : records) {
            LocalDate month = LocalDate.ofInstant(record.timestamp(), ZoneOffset.UTC).withDayOfMonth(1);
            long[] count = counts.computeIfAbsent(record.payload().apiKeyId(), k -> new TreeMap<>())
                    .computeIfAbsent(month, m -> new long[2]);
            count[0]++;
            count[1] = Math.max(count[1], record.timestampMillis());
        }
        List<String> keys = new ArrayList<>();
        List<Date> months = new ArrayList<>();
        List<Long> requests = new ArrayList<>();
        List<Long> lastSeen = new ArrayList<>();
        counts.forEach((key, byMonth) -> byMonth.forEach((month, count) -> {
            keys.add(key);
            months.add(Date.valueOf(month));
            requests.add(count[0]);
            lastSeen.add(count[1]);
        }));
        try (PreparedStatement upsert = transaction.prepareStatement(COUNT)) {
            upsert.setArray(1, transaction.createArrayOf("text", keys.toArray()));
            upsert.setArray(2, transaction.createArrayOf("date", months.toArray()));
            upsert.setArray(3, transaction.createArrayOf("int8", requests.toArray()));
            upsert.setArray(4, transaction.createArrayOf("int8", lastSeen.toArray()));
            upsert.executeUpdate();
        }
    }

    /** The exact path: inserts the records not stored yet and counts only those, in one statement. */
    private int insertNew(Connection transaction, List<Envelope<UsageLog>> records) throws SQLException {
        int n = records.size();
        UUID[] ids = new UUID[n];
        Long[] occurredMs = new Long[n];
        String[] apiKeys = new String[n];
        String[] assets = new String[n];
        String[] sources = new String[n];
        Long[] responseTimes = new Long[n];
        String[] tiers = new String[n];
        String[] nodes = new String[n];
        for (int i = 0; i < n; i++) {
            Envelope<UsageLog> record = records.get(i);
            UsageLog log = record.payload();
            ids[i] = record.id();
            occurredMs[i] = record.timestampMillis();
            apiKeys[i] = log.apiKeyId();
            assets[i] = log.asset();
            sources[i] = log.source();
            responseTimes[i] = log.responseTimeUs();
            tiers[i] = log.cacheTier();
            nodes[i] = record.node();
        }
        try (PreparedStatement insert = transaction.prepareStatement(INSERT)) {
            insert.setArray(1, transaction.createArrayOf("uuid", ids));
            insert.setArray(2, transaction.createArrayOf("int8", occurredMs));
            insert.setArray(3, transaction.createArrayOf("text", apiKeys));
            insert.setArray(4, transaction.createArrayOf("text", assets));
            insert.setArray(5, transaction.createArrayOf("text", sources));
            insert.setArray(6, transaction.createArrayOf("int8", responseTimes));
            insert.setArray(7, transaction.createArrayOf("text", tiers));
            insert.setArray(8, transaction.createArrayOf("text", nodes));
            try (ResultSet result = insert.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        }
    }
}
