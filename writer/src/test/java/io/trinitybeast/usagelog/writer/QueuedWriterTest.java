package io.trinitybeast.usagelog.writer;

import static io.trinitybeast.usagelog.writer.WriterFixture.DEC_4_2026;
import static io.trinitybeast.usagelog.writer.WriterFixture.again;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.UsageLog;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QueuedWriterTest {

    private static final long DAY = 86_400_000L;

    private WriterFixture fixture;
    private QueuedWriter writer;

    @BeforeEach
    void freshDatabase() {
        fixture = new WriterFixture();
        writer = fixture.writer();
    }

    private static List<String> failedIds(QueuedWriter.Outcome outcome) {
        return outcome.response().getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
    }

    @Test
    void storesSingleAndPackedMessagesAndCountsPerKeyAndMonth() throws Exception {
        List<SQSMessage> batch = List.of(
                fixture.single(fixture.record("ak_a", DEC_4_2026)),
                fixture.single(fixture.record("ak_b", DEC_4_2026 + 1)),
                fixture.packed(List.of(fixture.record("ak_a", DEC_4_2026 + 2), fixture.record("ak_a", DEC_4_2026 + 30 * DAY),
                        fixture.record("ak_c", DEC_4_2026 + 3))));

        QueuedWriter.Outcome outcome = writer.write(batch);

        assertThat(failedIds(outcome)).isEmpty();
        assertThat(outcome.report().inserted()).isEqualTo(5);
        assertThat(outcome.report().records()).isEqualTo(5);
        assertThat(fixture.count("SELECT count(*) FROM usage_logs")).isEqualTo(5);
        assertThat(fixture.counters()).containsExactly(
                Map.entry("ak_a/2026-12-01", 2L), Map.entry("ak_a/2027-01-01", 1L),
                Map.entry("ak_b/2026-12-01", 1L), Map.entry("ak_c/2026-12-01", 1L));
        assertThat(fixture.count("SELECT count(*) FROM usage_logs WHERE tableoid::regclass::text = 'usage_logs_p20270103'"))
                .as("a partition created on demand for a day nobody made").isEqualTo(1);
    }

    @Test
    void theSameBatchHandledTwiceChangesNothing() throws Exception {
        List<SQSMessage> batch = List.of(fixture.single(fixture.record("ak_a", DEC_4_2026)),
                fixture.packed(List.of(fixture.record("ak_a", DEC_4_2026), fixture.record("ak_b", DEC_4_2026))));
        writer.write(batch);
        Map<String, Long> counters = fixture.counters();

        QueuedWriter.Outcome again = writer.write(batch.stream().map(WriterFixture::again).toList());

        assertThat(again.report().inserted()).isZero();
        assertThat(again.report().duplicates()).isEqualTo(3);
        assertThat(fixture.count("SELECT count(*) FROM usage_logs")).isEqualTo(3);
        assertThat(fixture.counters()).isEqualTo(counters).containsEntry("ak_a/2026-12-01", 2L);
    }

    @Test
    void theSameRecordInTwoMessagesIsStoredAndCountedOnce() throws Exception {
        Envelope<UsageLog> record = fixture.record("ak_a", DEC_4_2026);

        QueuedWriter.Outcome outcome = writer.write(List.of(fixture.single(record),
                fixture.packed(List.of(record, fixture.record("ak_a", DEC_4_2026)))));

        assertThat(outcome.report().inserted()).isEqualTo(2);
        assertThat(outcome.report().duplicates()).isEqualTo(1);
        assertThat(fixture.counters()).containsExactly(Map.entry("ak_a/2026-12-01", 2L));
    }

    @Test
    void theSameRecordsInFourConcurrentWritersAreStoredAndCountedOnce_withoutDeadlock() throws Exception {
        List<Envelope<UsageLog>> records = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            records.add(fixture.record("ak_" + (i % 37), DEC_4_2026 + i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                List<Envelope<UsageLog>> mine = new ArrayList<>(records);
                Collections.shuffle(mine, new java.util.Random(w));
                List<List<SQSMessage>> batches = new ArrayList<>(); // encoded up front: the encoder is single-threaded
                for (int from = 0; from < mine.size(); from += 500) {
                    batches.add(List.of(fixture.packed(mine.subList(from, from + 250)), fixture.packed(mine.subList(from + 250, from + 500))));
                }
                QueuedWriter own = fixture.writer(); // each with its own connection, as Lambda containers are
                writers.add(pool.submit((Callable<Integer>) () -> {
                    int inserted = 0;
                    for (List<SQSMessage> batch : batches) {
                        inserted += own.write(batch).report().inserted();
                    }
                    return inserted;
                }));
            }
            int inserted = 0;
            for (Future<Integer> w : writers) {
                inserted += w.get();
            }
            assertThat(inserted).isEqualTo(4000);
        } finally {
            pool.shutdownNow();
        }
        assertThat(fixture.count("SELECT count(*) FROM usage_logs")).isEqualTo(4000);
        assertThat(fixture.count("SELECT sum(request_count) FROM current_usage")).isEqualTo(4000);
        assertThat(fixture.counters()).hasSize(37).containsEntry("ak_0/2026-12-01", 109L);
    }

    @Test
    void poisonMessagesFailAloneWhileTheGoodOnesAreCommitted() throws Exception {
        Envelope<UsageLog> good = fixture.record("ak_good", DEC_4_2026);
        Envelope<UsageLog> goodInPacked = fixture.record("ak_good", DEC_4_2026 + 1);
        String validJson = new String(fixture.encoder.encode(fixture.record("ak_x", DEC_4_2026)), java.nio.charset.StandardCharsets.US_ASCII);
        String badPayload = validJson.replace("\"response_time_us\":42", "\"response_time_us\":-1");
        String unknownType = validJson.replace("\"type\":\"usage_log\"", "\"type\":\"billing_event\"");
        String version2 = validJson.replace("{\"id\"", "{\"v\":2,\"id\"");
        Envelope<UsageLog> besideUnknown = fixture.record("ak_good", DEC_4_2026 + 2);
        String besideUnknownJson = new String(fixture.encoder.encode(besideUnknown), java.nio.charset.StandardCharsets.US_ASCII);
        String otherJson = new String(fixture.encoder.encode(fixture.record("ak_y", DEC_4_2026)), java.nio.charset.StandardCharsets.US_ASCII);

        SQSMessage ok = fixture.single(good);
        SQSMessage notJson = fixture.message("Test message.");
        SQSMessage empty = fixture.message("");
        SQSMessage emptyArray = fixture.message("[]");
        SQSMessage badEnvelope = fixture.message(validJson.replace("\"timestamp\":\"", "\"timestamp\":\"x"));
        SQSMessage invalidPayload = fixture.message(badPayload);
        SQSMessage unknown = fixture.message(unknownType);
        SQSMessage future = fixture.message(version2);
        SQSMessage packedWithBad = fixture.message("[" + new String(fixture.encoder.encode(goodInPacked), java.nio.charset.StandardCharsets.US_ASCII)
                + "," + badPayload + ",{\"not\":\"an envelope\"}]");
        SQSMessage packedWithUnknown = fixture.message("[" + besideUnknownJson + "," + unknownType.replace(
                validJson.substring(7, 43), otherJson.substring(7, 43)) + "]");

        QueuedWriter.Outcome outcome = writer.write(List.of(ok, notJson, empty, emptyArray, badEnvelope, invalidPayload,
                unknown, future, packedWithBad, packedWithUnknown));

        assertThat(failedIds(outcome)).containsExactlyInAnyOrder(notJson.getMessageId(), empty.getMessageId(),
                emptyArray.getMessageId(), badEnvelope.getMessageId(), invalidPayload.getMessageId(), unknown.getMessageId(),
                future.getMessageId(), packedWithUnknown.getMessageId());
        assertThat(outcome.failedMessages()).containsEntry(future.getMessageId(),
                "invalid_record: unsupported envelope version v=2; this reader understands 1");
        assertThat(outcome.failedMessages().get(invalidPayload.getMessageId())).startsWith("invalid_record: response_time_us");
        assertThat(outcome.failedMessages().get(unknown.getMessageId())).isEqualTo("unknown_type: no handler for type 'billing_event'");
        assertThat(outcome.report().failuresByReason()).containsEntry("malformed", 3).containsEntry("unknown_type", 2);
        assertThat(fixture.storedIds()).containsExactlyInAnyOrder(good.id(), goodInPacked.id(), besideUnknown.id());
        assertThat(fixture.counters()).containsExactly(Map.entry("ak_good/2026-12-01", 3L));
        assertThat(fixture.count("SELECT count(*) FROM rejected_records")).isEqualTo(2);
        assertThat(fixture.count("SELECT count(*) FROM rejected_records WHERE message_id = '" + packedWithBad.getMessageId()
                + "' AND record_index = 1 AND reason LIKE 'response_time_us must be an integer in 0..%'")).isEqualTo(1);
        assertThat(fixture.count("SELECT count(*) FROM rejected_records WHERE record_index = 2 AND event_id IS NULL"
                + " AND reason = 'id is required' AND record = '{\"not\":\"an envelope\"}'")).isEqualTo(1);

        writer.write(List.of(again(packedWithBad), again(packedWithUnknown)));
        assertThat(fixture.count("SELECT count(*) FROM rejected_records")).as("re-delivery parks once").isEqualTo(2);
        assertThat(fixture.counters()).containsExactly(Map.entry("ak_good/2026-12-01", 3L));
    }

    @Test
    void aDatabaseThatIsDownFailsTheWholeInvocation_andTheRetryAfterItReturnsStoresEverythingOnce() throws Exception {
        List<SQSMessage> batch = List.of(fixture.single(fixture.record("ak_a", DEC_4_2026)),
                fixture.packed(List.of(fixture.record("ak_b", DEC_4_2026), fixture.record("ak_b", DEC_4_2026 + 1))));
        writer.write(List.of(fixture.single(fixture.record("ak_warm", DEC_4_2026)))); // the container's connection is open
        String name = fixture.database.jdbcUrl().substring(fixture.database.jdbcUrl().lastIndexOf('/') + 1);

        try (Connection admin = LocalDatabase().connect(); Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
        }
        assertThatThrownBy(() -> writer.write(batch)).isInstanceOf(WriterException.class)
                .hasMessageContaining("the whole batch returns to the queue")
                .satisfies(e -> assertThat(((WriterException) e).report().databaseFailed()).isTrue());
        assertThatThrownBy(() -> writer.write(batch)).as("still down: cannot connect").isInstanceOf(WriterException.class);

        try (Connection admin = LocalDatabase().connect(); Statement s = admin.createStatement()) {
            s.execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
        }
        QueuedWriter.Outcome outcome = writer.write(batch);

        assertThat(failedIds(outcome)).isEmpty();
        assertThat(outcome.report().inserted()).isEqualTo(3);
        assertThat(fixture.counters()).containsEntry("ak_a/2026-12-01", 1L).containsEntry("ak_b/2026-12-01", 2L);
    }

    private static io.trinitybeast.usagelog.peers.LocalDatabase.Database LocalDatabase() {
        return io.trinitybeast.usagelog.peers.LocalDatabase.forTests().server();
    }

    @Test
    void aFailureMidTransactionLeavesNothingHalfWritten() throws Exception {
        FailingAnalyticsStore analytics = new FailingAnalyticsStore();
        QueuedWriter withAnalytics = new QueuedWriter(fixture.writerDatabase(),
                RecordHandlers.standard().register(analytics));
        analytics.createTable(fixture.database);
        analytics.failNext = true;
        List<SQSMessage> batch = List.of(fixture.single(fixture.record("ak_a", DEC_4_2026)),
                fixture.single(AnalyticsEventStore.event(fixture.ids, "page_view", "/pricing")));

        assertThatThrownBy(() -> withAnalytics.write(batch)).isInstanceOf(WriterException.class);
        assertThat(fixture.count("SELECT count(*) FROM usage_logs")).isZero();
        assertThat(fixture.count("SELECT count(*) FROM current_usage")).isZero();

        QueuedWriter.Outcome retry = withAnalytics.write(batch);
        assertThat(retry.report().inserted()).isEqualTo(2);
        assertThat(fixture.count("SELECT count(*) FROM analytics_events")).isEqualTo(1);
    }

    @Test
    void aSecondRecordTypeIsOneHandlerAndOneRegistration() throws Exception {
        AnalyticsEventStore analytics = new AnalyticsEventStore();
        analytics.createTable(fixture.database);
        QueuedWriter withAnalytics = new QueuedWriter(fixture.writerDatabase(), RecordHandlers.standard().register(analytics));

        QueuedWriter.Outcome outcome = withAnalytics.write(List.of(
                fixture.packed(List.of(fixture.record("ak_a", DEC_4_2026), AnalyticsEventStore.event(fixture.ids, "page_view", "/pricing"),
                        AnalyticsEventStore.event(fixture.ids, "click", "/buy")))));

        assertThat(failedIds(outcome)).isEmpty();
        assertThat(outcome.report().inserted()).isEqualTo(3);
        assertThat(fixture.count("SELECT count(*) FROM analytics_events")).isEqualTo(2);
        assertThat(fixture.count("SELECT count(*) FROM usage_logs")).isEqualTo(1);
    }
}
