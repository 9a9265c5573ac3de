package io.trinitybeast.usagelog.parameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.InvalidParameterException;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.ProducerSettings;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ParametersTest {

    private LocalDatabase.Database database;
    private ParameterStore store;

    @BeforeEach
    void freshDatabase() {
        database = LocalDatabase.forTests().freshDatabase();
        UsageLogSchema.migrate(database.dataSource());
        store = new ParameterStore(database::connect);
    }

    @Test
    void theTableAndTheProducerAgreeOnEveryParameterItsDefaultAndRange() throws SQLException {
        Map<String, ParameterStore.Parameter> rows = store.list().stream()
                .collect(Collectors.toMap(ParameterStore.Parameter::name, p -> p));
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(
                java.util.Arrays.stream(ProducerParameter.values()).map(ProducerParameter::parameterName).toList());
        for (ProducerParameter p : ProducerParameter.values()) {
            ParameterStore.Parameter row = rows.get(p.parameterName());
            assertThat(Long.parseLong(row.value())).as(p.parameterName()).isEqualTo(p.defaultValue());
            assertThat(row.min()).as(p.parameterName()).isEqualTo(p.min());
            assertThat(row.max()).as(p.parameterName()).isEqualTo(p.max());
            assertThat(row.description()).isEqualTo(p.description());
            assertThat(row.range()).isEqualTo(p.range());
        }
    }

    @ParameterizedTest
    @EnumSource(ProducerParameter.class)
    void theDatabaseRefusesInvalidValuesEvenFromSqlThatBypassesTheTools(ProducerParameter parameter) throws SQLException {
        for (String bad : new String[] {Long.toString(parameter.min() - 1), Long.toString(parameter.max() + 1), "ten", "", "1.5"}) {
            try (Connection c = database.connect();
                    PreparedStatement update = c.prepareStatement("UPDATE application_parameters SET value = ? WHERE name = ?")) {
                update.setString(1, bad);
                update.setString(2, parameter.parameterName());
                assertThatThrownBy(update::executeUpdate).as(bad).isInstanceOf(SQLException.class)
                        .hasMessageContaining("application_parameters_value_in_range");
            }
        }
        assertThat(store.get(parameter.parameterName()).orElseThrow().value()).isEqualTo(Long.toString(parameter.defaultValue()));
    }

    @Test
    void setRejectsWithTheNameAndRange_andAuditsWhatItChanges() throws SQLException {
        assertThatThrownBy(() -> store.set("sqs_batch_size", "11", "alice"))
                .isInstanceOf(InvalidParameterException.class)
                .hasMessage("sqs_batch_size must be an integer 1–10 (Messages per SQS SendMessageBatch call), got 11");
        assertThatThrownBy(() -> store.set("sqs_nonsense", "1", "alice")).hasMessage("unknown parameter 'sqs_nonsense'");

        store.set("sqs_flush_ms", "250", "alice");

        assertThat(store.get("sqs_flush_ms").orElseThrow().value()).isEqualTo("250");
        assertThat(store.get("sqs_flush_ms").orElseThrow().updatedBy()).isEqualTo("alice");
        assertThat(audit()).containsExactly("sqs_flush_ms 100->250 by alice via -");
    }

    @Test
    void sixteenProfilesInTheSeedsThreeCategories_eachSettingEveryParameter() throws SQLException {
        var profiles = store.profiles();

        assertThat(profiles).hasSize(16);
        assertThat(profiles.stream().map(ParameterStore.Profile::category).collect(Collectors.toSet()))
                .isEqualTo(Set.of("demo_debug", "production", "stress"));
        Map<String, String[]> seed = Map.of("demo_debug", new String[] {"500", "10000"}, "production", new String[] {"100", "50000"},
                "stress", new String[] {"50", "100000"});
        for (ParameterStore.Profile profile : profiles) {
            assertThat(profile.values()).as(profile.name()).hasSize(ProducerParameter.values().length);
            assertThat(profile.values().get("sqs_flush_ms")).as(profile.name()).isEqualTo(seed.get(profile.category())[0]);
            assertThat(profile.values().get("sqs_buffer_size")).as(profile.name()).isEqualTo(seed.get(profile.category())[1]);
            assertThat(profile.intendedWorkload()).isNotBlank();
        }
    }

    @Test
    void applyingEachProfileYieldsExactlyItsValues_inOneAuditedTransaction() throws SQLException {
        for (ParameterStore.Profile profile : store.profiles()) {
            store.apply(profile.name(), "ops");

            Map<String, String> now = store.list().stream()
                    .collect(Collectors.toMap(ParameterStore.Parameter::name, ParameterStore.Parameter::value));
            assertThat(now).as(profile.name()).isEqualTo(profile.values());
            assertThat(store.diff(profile.name())).isEmpty();
        }
        assertThat(audit()).allSatisfy(line -> assertThat(line).contains("by ops via "));
        store.apply("demo", "ops");
        assertThat(store.apply("stress", "ops")).isPositive();
        assertThat(store.apply("stress", "ops")).as("nothing left to change").isZero();
        assertThatThrownBy(() -> store.apply("no-such", "ops")).hasMessage("no profile named 'no-such'");
    }

    @Test
    void aChangeReachesARunningProducerAtItsNextTick_withoutLosingARecord() throws Exception {
        try (LocalSqs sqs = LocalSqs.start(0);
                DatabaseParameterSource source = DatabaseParameterSource.start(database::connect, Duration.ofSeconds(30))) {
            assertThat(source.awaitLoaded(Duration.ofSeconds(10))).isTrue();
            String queue = sqs.createQueue("parameters-under-load");
            UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(16)).closeClient(true).queueUrl(queue)
                    .node("n").parameters(source).meterRegistry(new SimpleMeterRegistry()).start();
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                long i = 0;
                while (sending.get()) {
                    producer.send(UsageLog.TYPE, new UsageLog("ak_1", "BTC", "binance", i++ % 1000, "L1_MEMORY"));
                    if (i % 100 == 0) { // about 20,000 records/s: well within what the local SQS takes
                        java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
                    }
                }
            });
            load.start();
            Map<ProducerParameter, String> changes = new java.util.LinkedHashMap<>();
            changes.put(ProducerParameter.BATCH_SIZE, "7");
            changes.put(ProducerParameter.FLUSH_MS, "40");
            changes.put(ProducerParameter.BUFFER_SIZE, "200000");
            changes.put(ProducerParameter.TIMEOUT_MS, "4000");
            changes.put(ProducerParameter.MAX_IN_FLIGHT, "4");
            changes.put(ProducerParameter.PACK_BYTES, "32768");
            changes.put(ProducerParameter.SIZE_LIMIT_BYTES, "524288");
            changes.put(ProducerParameter.RETRY_BASE_MS, "20");
            changes.put(ProducerParameter.RETRY_MAX_MS, "2000");
            for (Map.Entry<ProducerParameter, String> change : changes.entrySet()) {
                store.set(change.getKey().parameterName(), change.getValue(), "test");
                long expected = Long.parseLong(change.getValue());
                // NOTIFY brings it at once; the poll alone would take 30 s.
                await().atMost(Duration.ofSeconds(3)).until(() -> producer.settings().get(change.getKey()) == expected);
            }
            ProducerSettings applied = producer.settings();
            sending.set(false);
            load.join();
            CloseReport report = producer.close(Duration.ofSeconds(30));

            assertThat(applied.batchSize()).isEqualTo(7);
            assertThat(report.stats().dropped()).isZero();
            assertThat(report.stats().sent()).isEqualTo(report.stats().enqueued()).isPositive();
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void withoutNotificationsThePollStillDeliversTheChange() throws Exception {
        try (DatabaseParameterSource source = DatabaseParameterSource.start(database::connect, Duration.ofMillis(300), false)) {
            assertThat(source.awaitLoaded(Duration.ofSeconds(10))).isTrue();
            store.set("sqs_batch_size", "3", "test");

            await().atMost(Duration.ofSeconds(5)).until(() -> "3".equals(source.values().get("sqs_batch_size")));
        }
    }

    private java.util.List<String> audit() throws SQLException {
        java.util.List<String> lines = new java.util.ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT name, old_value, new_value, changed_by, coalesce(profile, '-') FROM parameter_changes"
                        + " WHERE changed_by <> 'migration' ORDER BY id")) {
            while (rs.next()) {
                lines.add(rs.getString(1) + " " + rs.getString(2) + "->" + rs.getString(3) + " by " + rs.getString(4) + " via " + rs.getString(5));
            }
        }
        return lines;
    }
}
