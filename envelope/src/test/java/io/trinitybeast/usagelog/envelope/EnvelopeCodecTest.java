package io.trinitybeast.usagelog.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EnvelopeCodecTest {

    private static final String SEED_EXAMPLE = """
            {
            "type": "usage_log",
            "id": "0196917c-4f60-7a3b-8c1d-2e3f4a5b6c7d",
            "timestamp": "2026-05-02T15:30:00.000Z",
            "node": "BeastMain",
            "payload": {
            "api_key_id": "ak_live_abc123",
            "asset": "BTC",
            "source": "binance",
            "response_time_us": 42,
            "cache_tier": "L1_MEMORY"
            }
            }""";

    private final EnvelopeEncoder encoder = new EnvelopeEncoder(PayloadCodecs.standard());
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    @Test
    void readsTheSeedsExampleField_forField() throws Exception {
        var message = decoder.decode(SEED_EXAMPLE);

        assertThat(message.packed()).isFalse();
        assertThat(message.rejected()).isEmpty();
        Envelope<UsageLog> log = EnvelopeDecoder.typed(message.envelopes().get(0), UsageLog.CODEC);
        assertThat(log.type()).isEqualTo("usage_log");
        assertThat(log.timestamp()).hasToString("2026-05-02T15:30:00Z");
        assertThat(log.node()).isEqualTo("BeastMain");
        assertThat(log.payload()).isEqualTo(new UsageLog("ak_live_abc123", "BTC", "binance", 42, "L1_MEMORY"));
    }

    @Test
    void writesTheSeedsFieldsInItsOrder() {
        UUID id = new UuidV7().next(1_777_735_800_000L);
        var envelope = new Envelope<>(id, "usage_log", 1_777_735_800_000L, "BeastMain",
                new UsageLog("ak_live_abc123", "BTC", "binance", 42, "L1_MEMORY"));

        String json = new String(encoder.encode(envelope), StandardCharsets.US_ASCII);

        assertThat(json).isEqualTo("{\"id\":\"" + id + "\",\"type\":\"usage_log\",\"timestamp\":\"2026-05-02T15:30:00.000Z\","
                + "\"node\":\"BeastMain\",\"payload\":{\"api_key_id\":\"ak_live_abc123\",\"asset\":\"BTC\","
                + "\"source\":\"binance\",\"response_time_us\":42,\"cache_tier\":\"L1_MEMORY\"}}");
    }

    @Test
    void roundTripsGeneratedEnvelopesWithHostileStrings_singleAndPacked() throws Exception {
        SplittableRandom random = new SplittableRandom(20261204);
        UuidV7 ids = new UuidV7();
        for (int round = 0; round < 300; round++) {
            List<Envelope<Object>> batch = new ArrayList<>();
            int size = 1 + random.nextInt(8);
            for (int i = 0; i < size; i++) {
                long millis = random.nextLong(0, 253_402_300_799_999L); // through year 9999
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put(shortHostile(random), hostile(random));
                payload.put("n", random.nextLong());
                payload.put("nested", Map.of("s", hostile(random)));
                batch.add(new Envelope<>(ids.next(millis), "analytics_event", millis, hostile(random).isEmpty() ? "n" : "node-" + i, payload));
            }
            for (boolean packed : new boolean[] {false, true}) {
                List<Envelope<Object>> sent = packed ? batch : batch.subList(0, 1);
                String body = encoder.encodeBody(sent, packed);

                assertThat(body.chars().allMatch(c -> c >= 0x20 && c < 0x80)).as("ASCII without controls: always valid for SQS").isTrue();
                var decoded = decoder.decode(body);
                assertThat(decoded.rejected()).isEmpty();
                assertThat(decoded.envelopes()).hasSize(sent.size());
                for (int i = 0; i < sent.size(); i++) {
                    Envelope<Object> expected = sent.get(i);
                    Envelope<JsonNode> actual = decoded.envelopes().get(i);
                    assertThat(actual.id()).isEqualTo(expected.id());
                    assertThat(actual.timestampMillis()).isEqualTo(expected.timestampMillis());
                    assertThat(actual.node()).isEqualTo(expected.node());
                    assertThat(actual.payload()).isEqualTo(Unicode.scrub((JsonNode) EnvelopeEncoder.MAPPER.valueToTree(expected.payload())));
                }
            }
        }
    }

    private static String shortHostile(SplittableRandom random) {
        String s = hostile(random);
        return s.length() > 40 ? s.substring(0, 40) : s; // the reader caps field names at 50,000 characters
    }

    /** Quotes, backslashes, every control, lone and paired surrogates, U+FFFE/FFFF, very long strings. */
    private static String hostile(SplittableRandom random) {
        int kind = random.nextInt(6);
        int length = kind == 5 ? 100_000 + random.nextInt(1000) : random.nextInt(40);
        StringBuilder s = new StringBuilder(length);
        while (s.length() < length) {
            switch (random.nextInt(9)) {
                case 0 -> s.append('"');
                case 1 -> s.append('\\');
                case 2 -> s.append((char) random.nextInt(0x20));
                case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0xFFFFF));
                case 4 -> s.append((char) (0xD800 + random.nextInt(0x800))); // lone surrogate
                case 5 -> s.append(random.nextBoolean() ? '\uFFFE' : '\uFFFF');
                case 6 -> s.append((char) random.nextInt(0x10000));
                case 7 -> s.append("</script>\u2028\u0000");
                default -> s.append((char) ('a' + random.nextInt(26)));
            }
        }
        return s.toString();
    }

    @Test
    void packedBodyWithOneBadRecordRejectsItAloneWithTheReason() throws Exception {
        UuidV7 ids = new UuidV7();
        var good = new Envelope<>(ids.next(1000), "usage_log", 1000, "n", new UsageLog("ak_1", "BTC", "binance", 1, "L1_MEMORY"));
        String goodJson = new String(encoder.encode(good), StandardCharsets.US_ASCII);
        String bad = goodJson.replace("\"timestamp\":\"1970-01-01T00:00:01.000Z\"", "\"timestamp\":\"yesterday\"")
                .replace(good.id().toString(), "01890000-0000-7000-8000-000000000001");

        var decoded = decoder.decode("[" + goodJson + "," + bad + "," + goodJson + "]");

        assertThat(decoded.packed()).isTrue();
        assertThat(decoded.envelopes()).hasSize(2);
        assertThat(decoded.rejected()).singleElement().satisfies(r -> {
            assertThat(r.index()).isEqualTo(1);
            assertThat(r.id()).isEqualTo("01890000-0000-7000-8000-000000000001");
            assertThat(r.reason()).contains("timestamp must look like").contains("yesterday");
            assertThat(r.json()).contains("yesterday");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"id\":", "42", "\"usage_log\"", "[]", "null", "{} {}", "[{}] x"})
    void malformedBodiesFailWholeWithAClearError(String body) {
        assertThatThrownBy(() -> decoder.decode(body)).isInstanceOf(MalformedMessageException.class).message().matches("(empty message body|body .+|packed body .+)");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "id|remove|id is required",
        "id|\"not-a-uuid\"|id must be a UUID",
        "id|7|id must be a string",
        "type|\"Usage-Log\"|type must match",
        "type|remove|type is required",
        "timestamp|\"2026-05-02T15:30:00Z\"|timestamp must look like",
        "timestamp|\"2026-05-02T15:30:00.000+01:00\"|timestamp must look like",
        "timestamp|\"2026-02-30T15:30:00.000Z\"|timestamp must look like",
        "node|\"\"|node must be 1..128",
        "node|\"a\\u0000b\"|node must not hold control",
        "payload|[1]|payload must be a JSON object",
        "payload|remove|payload is required",
        "v|2|unsupported envelope version v=2",
    })
    void invalidEnvelopesAreRejectedNamingTheRule(String spec) throws Exception {
        String[] parts = spec.split("\\|");
        ObjectNode envelope = (ObjectNode) JsonMapper.builder().build().readTree(SEED_EXAMPLE);
        if (parts[1].equals("remove")) {
            envelope.remove(parts[0]);
        } else {
            envelope.set(parts[0], JsonMapper.builder().build().readTree(parts[1]));
        }

        var decoded = decoder.decode(envelope.toString());

        assertThat(decoded.envelopes()).isEmpty();
        assertThat(decoded.rejected()).singleElement().extracting(EnvelopeDecoder.RejectedRecord::reason)
                .asString().contains(parts[2]);
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThatThrownBy(() -> decoder.decode(SEED_EXAMPLE.replace("\"node\": \"BeastMain\",", "\"node\":\"a\",\"node\":\"b\",")))
                .isInstanceOf(MalformedMessageException.class).hasMessageContaining("Duplicate field 'node'");
    }

    @Test
    void unknownFieldsAreIgnoredSoAdditiveChangesStayReadable() throws Exception {
        var decoded = decoder.decode(SEED_EXAMPLE.replace("\"node\":", "\"region\":\"us-east-2\",\"node\":")
                .replace("\"asset\":", "\"plan\":\"pro\",\"asset\":"));

        assertThat(decoded.rejected()).isEmpty();
        assertThat(EnvelopeDecoder.typed(decoded.envelopes().get(0), UsageLog.CODEC).payload().asset()).isEqualTo("BTC");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "api_key_id|\"\"|api_key_id must be 1..64",
        "api_key_id|\"ak live\"|api_key_id may hold only",
        "api_key_id|remove|api_key_id is required",
        "asset|\"BTC\\\"\"|asset may hold only",
        "source|12|source must be a string",
        "response_time_us|-1|response_time_us must be an integer in 0..",
        "response_time_us|1.5|response_time_us must be an integer",
        "response_time_us|\"42\"|response_time_us must be an integer",
        "response_time_us|99999999999999999999999|response_time_us must be an integer",
        "cache_tier|null|cache_tier is required",
    })
    void invalidUsageLogPayloadsAreRejectedNamingTheField(String spec) throws Exception {
        String[] parts = spec.split("\\|");
        var mapper = JsonMapper.builder().build();
        ObjectNode envelope = (ObjectNode) mapper.readTree(SEED_EXAMPLE);
        ObjectNode payload = (ObjectNode) envelope.get("payload");
        if (parts[1].equals("remove")) {
            payload.remove(parts[0]);
        } else {
            payload.set(parts[0], mapper.readTree(parts[1]));
        }
        Envelope<JsonNode> decoded = decoder.decode(envelope.toString()).envelopes().get(0);

        assertThatThrownBy(() -> EnvelopeDecoder.typed(decoded, UsageLog.CODEC))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining(parts[2]);
    }

    @Test
    void usageLogRefusesInvalidValuesAtConstruction() {
        assertThatThrownBy(() -> new UsageLog("ak_1", "BTC", "binance", -5, "L1_MEMORY"))
                .hasMessageContaining("response_time_us must be an integer in 0..3600000000, got -5");
        assertThatThrownBy(() -> new UsageLog("ak\n1", "BTC", "binance", 5, "L1_MEMORY"))
                .hasMessageContaining("api_key_id may hold only [A-Za-z0-9_.-], found U+000A at index 2");
    }

    @Test
    void uuidV7IdsAreVersion7AndStrictlyIncreasingEvenWithinOneMillisecond() {
        UuidV7 ids = new UuidV7();
        UUID previous = ids.next(5_000);
        for (int i = 0; i < 20_000; i++) {
            UUID next = ids.next(5_000 + i / 10_000); // 10,000 ids in one millisecond overflow the counter
            assertThat(next.version()).isEqualTo(7);
            assertThat(next.variant()).isEqualTo(2);
            assertThat(compareUnsigned(next, previous)).isPositive();
            previous = next;
        }
        assertThat(UuidV7.epochMillis(new UuidV7().next(1_777_735_800_123L))).isEqualTo(1_777_735_800_123L);
    }

    private static int compareUnsigned(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }

    @Test
    void payloadsThatAreNotObjectsAreRefusedAtEncoding() {
        var envelope = new Envelope<Object>(new UuidV7().next(1), "analytics_event", 1, "n", List.of(1, 2));
        assertThatThrownBy(() -> encoder.encode(envelope)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload must serialize to a JSON object");
        // the encoder stays usable after a failure
        assertThat(encoder.encode(envelope.withPayload(Map.of("ok", true)))).isNotEmpty();
    }
}
