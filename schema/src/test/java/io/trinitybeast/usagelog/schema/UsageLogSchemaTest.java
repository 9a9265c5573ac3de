package io.trinitybeast.usagelog.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trinitybeast.usagelog.peers.LocalDatabase;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class UsageLogSchemaTest {

    private static LocalDatabase.Database database;

    @BeforeAll
    static void migrate() {
        database = LocalDatabase.forTests().freshDatabase();
        assertThat(UsageLogSchema.migrate(database.dataSource()).migrationsExecuted).isPositive();
    }

    @Test
    void migratingAgainChangesNothing() {
        assertThat(UsageLogSchema.migrate(database.dataSource()).migrationsExecuted).isZero();
    }

    @Test
    void partitionsAroundTodayExistAndRouteRowsByUtcDay() throws SQLException {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (Connection c = database.connect()) {
            assertThat(partitions(c)).contains("usage_logs_p" + today.toString().replace("-", ""),
                    "usage_logs_p" + today.plusDays(7).toString().replace("-", ""));
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO usage_logs (event_id, occurred_at, api_key_id, asset, source, response_time_us, cache_tier, node)
                    VALUES (gen_random_uuid(), ?::timestamptz, 'ak_1', 'BTC', 'binance', 1, 'L1_MEMORY', 'n')""")) {
                insert.setString(1, today + "T23:59:59.999Z");
                insert.executeUpdate();
            }
            try (PreparedStatement where = c.prepareStatement("SELECT tableoid::regclass::text FROM usage_logs");
                    ResultSet rs = where.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("usage_logs_p" + today.toString().replace("-", ""));
            }
        }
    }

    @Test
    void ensurePartitionIsIdempotentUnderConcurrency() throws Exception {
        LocalDate day = LocalDate.of(2031, 3, 14);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> created = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                created.add(pool.submit((Callable<String>) () -> ensure(day)));
            }
            for (Future<String> f : created) {
                assertThat(f.get()).isEqualTo("usage_logs_p20310314");
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = database.connect()) {
            assertThat(partitions(c)).containsOnlyOnce("usage_logs_p20310314");
        }
    }

    @Test
    void retentionDropsWholeDaysBeforeTheCutoff() throws SQLException {
        ensure(LocalDate.of(2020, 1, 1));
        ensure(LocalDate.of(2020, 1, 2));
        ensure(LocalDate.of(2020, 1, 3));
        try (Connection c = database.connect();
                PreparedStatement drop = c.prepareStatement("SELECT usagelog_drop_partitions_before(?)")) {
            drop.setDate(1, Date.valueOf(LocalDate.of(2020, 1, 3)));
            try (ResultSet rs = drop.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(2);
            }
            assertThat(partitions(c)).contains("usage_logs_p20200103").doesNotContain("usage_logs_p20200101", "usage_logs_p20200102");
        }
    }

    @Test
    void theDatabaseRefusesWhatTheWriterNeverWrites() throws SQLException {
        try (Connection c = database.connect()) {
            assertThatThrownBy(() -> c.createStatement().executeUpdate(
                    "INSERT INTO current_usage (api_key_id, period_start, request_count, last_seen_at) VALUES ('k', '2026-12-04', 1, now())"))
                    .hasMessageContaining("current_usage_period_start_check");
            assertThatThrownBy(() -> c.createStatement().executeUpdate(
                    "INSERT INTO usage_logs (event_id, occurred_at, api_key_id, asset, source, response_time_us, cache_tier, node)"
                            + " VALUES (gen_random_uuid(), now(), 'k', 'BTC', 's', -1, 't', 'n')"))
                    .hasMessageContaining("usage_logs_response_time_us_check");
        }
    }

    private static String ensure(LocalDate day) throws SQLException {
        try (Connection c = database.connect(); PreparedStatement ensure = c.prepareStatement("SELECT usagelog_ensure_partition(?)")) {
            ensure.setDate(1, Date.valueOf(day));
            try (ResultSet rs = ensure.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static List<String> partitions(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (PreparedStatement list = c.prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_logs'::regclass");
                ResultSet rs = list.executeQuery()) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
