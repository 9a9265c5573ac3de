package io.trinitybeast.usagelog.writer;

import static io.trinitybeast.usagelog.writer.WriterFixture.DEC_4_2026;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.UsageLog;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * For any sequence of deliveries, with duplicates, re-packing and failed invocations, the stored
 * rows are the set of distinct records and the counters their counts. Generated from seeds, so a
 * failure names the seed that reproduces it.
 */
class DeliveryPropertyTest {

    private static WriterFixture fixture;

    @BeforeAll
    static void database() {
        fixture = new WriterFixture();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233})
    void storedRowsAreTheDistinctRecordsAndCountersTheirCounts(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        String prefix = "ak_s" + seed + "_";
        List<Envelope<UsageLog>> records = new ArrayList<>();
        int distinct = 20 + random.nextInt(200);
        for (int i = 0; i < distinct; i++) {
            long at = DEC_4_2026 + random.nextLong(-40L * 86_400_000, 40L * 86_400_000); // across three months
            records.add(fixture.record(prefix + random.nextInt(7), at));
        }
        FailingAnalyticsStore failing = new FailingAnalyticsStore();
        QueuedWriter writer = new QueuedWriter(fixture.writerDatabase(), RecordHandlers.standard().register(failing));

        int invocations = 5 + random.nextInt(25);
        for (int n = 0; n < invocations; n++) {
            List<Envelope<?>> chosen = new ArrayList<>();
            int size = 1 + random.nextInt(60);
            for (int i = 0; i < size; i++) {
                chosen.add(records.get(random.nextInt(records.size()))); // duplicates within and across invocations
            }
            boolean dbFails = random.nextInt(5) == 0;
            if (dbFails) {
                chosen.add(AnalyticsEventStore.event(fixture.ids, "x", "/"));
                failing.failNext = true;
            }
            try {
                writer.write(messages(random, chosen));
            } catch (WriterException expected) {
                assertThat(dbFails).as("only injected failures fail").isTrue();
            }
        }
        // SQS retries what failed until it is written: end with everything delivered once more.
        writer.write(messages(random, new ArrayList<>(records)));

        Map<UUID, Envelope<UsageLog>> distinctRecords = new java.util.LinkedHashMap<>();
        records.forEach(r -> distinctRecords.putIfAbsent(r.id(), r));
        Map<String, Long> expected = new TreeMap<>();
        for (Envelope<UsageLog> record : distinctRecords.values()) {
            String month = Instant.ofEpochMilli(record.timestampMillis()).atZone(ZoneOffset.UTC).toLocalDate().withDayOfMonth(1).toString();
            expected.merge(record.payload().apiKeyId() + "/" + month, 1L, Long::sum);
        }
        Map<String, Long> counters = new TreeMap<>(fixture.counters());
        counters.keySet().removeIf(key -> !key.startsWith(prefix));
        assertThat(counters).isEqualTo(expected);
        Set<UUID> stored = new HashSet<>(fixture.storedIds());
        assertThat(stored).containsAll(distinctRecords.keySet());
        assertThat(fixture.count("SELECT count(*) FROM usage_logs WHERE api_key_id LIKE '" + prefix + "%'"))
                .isEqualTo(distinctRecords.size());
    }

    /** Packs the chosen records into a random mix of single and packed messages. */
    private static List<SQSMessage> messages(SplittableRandom random, List<Envelope<?>> chosen) {
        List<SQSMessage> messages = new ArrayList<>();
        int i = 0;
        while (i < chosen.size()) {
            int take = random.nextBoolean() ? 1 : 1 + random.nextInt(Math.min(25, chosen.size() - i));
            take = Math.min(take, chosen.size() - i);
            List<Envelope<?>> part = chosen.subList(i, i + take);
            messages.add(take == 1 && random.nextBoolean() ? fixture.single(part.get(0)) : fixture.packed(part));
            i += take;
        }
        return messages;
    }
}
