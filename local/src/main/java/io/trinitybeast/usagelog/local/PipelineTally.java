package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.writer.InvocationReport;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/** What the writer side of a local run did: its invocation reports summed, and what the database holds for this run. */
final class PipelineTally implements Consumer<InvocationReport> {

    final LongAdder invocations = new LongAdder();
    final LongAdder inserted = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder failedMessages = new LongAdder();
    final LongAdder databaseFailures = new LongAdder();

    private final LocalDatabase.Database database;
    private final String node;
    private final String keyPrefix;
    private volatile Connection connection;

    PipelineTally(LocalDatabase.Database database, String node, String keyPrefix) {
        this.database = database;
        this.node = node;
        this.keyPrefix = keyPrefix;
    }

    @Override
    public void accept(InvocationReport report) {
        invocations.increment();
        inserted.add(report.inserted());
        duplicates.add(report.duplicates());
        rejected.add(report.rejected());
        failedMessages.add(report.failedMessages());
        if (report.databaseFailed()) {
            databaseFailures.increment();
        }
    }

    /** Rows of this run in usage_logs. */
    synchronized long storedRows() throws SQLException {
        return single("SELECT count(*) FROM usage_logs WHERE node = ?", node);
    }

    /** The sum of this run's counters in current_usage. */
    synchronized long counterTotal() throws SQLException {
        return single("SELECT coalesce(sum(request_count), 0) FROM current_usage WHERE api_key_id LIKE ?", keyPrefix + "%");
    }

    /** This run's counters per API key, all months together. */
    synchronized java.util.Map<String, Long> countersByKey() throws SQLException {
        java.util.Map<String, Long> counters = new java.util.TreeMap<>();
        try (PreparedStatement query = connection().prepareStatement(
                "SELECT api_key_id, sum(request_count) FROM current_usage WHERE api_key_id LIKE ? GROUP BY api_key_id")) {
            query.setString(1, keyPrefix + "%");
            try (ResultSet rs = query.executeQuery()) {
                while (rs.next()) {
                    counters.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return counters;
    }

    /** Milliseconds from send() to commit: p50, p99, max. */
    synchronized long[] lagMillis() throws SQLException {
        try (PreparedStatement query = connection().prepareStatement("""
                SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY lag), percentile_disc(0.99) WITHIN GROUP (ORDER BY lag), max(lag)
                FROM (SELECT extract(epoch FROM stored_at - occurred_at) * 1000 AS lag FROM usage_logs WHERE node = ?) l""")) {
            query.setString(1, node);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
            }
        }
    }

    private long single(String sql, String parameter) throws SQLException {
        try (PreparedStatement query = connection().prepareStatement(sql)) {
            query.setString(1, parameter);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = database.connect();
        }
        return connection;
    }

    synchronized void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
    }
}
