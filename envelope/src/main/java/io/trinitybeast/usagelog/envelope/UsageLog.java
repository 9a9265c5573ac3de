package io.trinitybeast.usagelog.envelope;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The {@code usage_log} payload: one answered price request.
 *
 * @param apiKeyId       public API key id, e.g. {@code ak_live_abc123}; 1..64 of {@code [A-Za-z0-9_.-]}
 * @param asset          e.g. {@code BTC}; 1..32 of {@code [A-Za-z0-9_.-]}
 * @param source         price source, e.g. {@code binance}; 1..64 of {@code [A-Za-z0-9_.-]}
 * @param responseTimeUs time to answer, microseconds, 0..{@value #MAX_RESPONSE_TIME_US}
 * @param cacheTier      which cache answered, e.g. {@code L1_MEMORY}; 1..32 of {@code [A-Za-z0-9_.-]}
 */
public record UsageLog(String apiKeyId, String asset, String source, long responseTimeUs, String cacheTier) {

    public static final String TYPE = "usage_log";
    /** One hour: a longer "response time" is a bug upstream, not a measurement. */
    public static final long MAX_RESPONSE_TIME_US = 3_600_000_000L;

    public static final PayloadCodec<UsageLog> CODEC = new Codec();

    /** Validates the record as the writer will, so a producer can refuse it before it ships. */
    public UsageLog {
        check(apiKeyId, "api_key_id", 64);
        check(asset, "asset", 32);
        check(source, "source", 64);
        check(cacheTier, "cache_tier", 32);
        if (responseTimeUs < 0 || responseTimeUs > MAX_RESPONSE_TIME_US) {
            throw new IllegalArgumentException("response_time_us must be an integer in 0.."
                    + MAX_RESPONSE_TIME_US + ", got " + responseTimeUs);
        }
    }

    private static void check(String value, String field, int maxLength) {
        if (value == null || value.isEmpty() || value.length() > maxLength) {
            throw new IllegalArgumentException(field + " must be 1.." + maxLength + " characters long");
        }
        for (int i = 0; i < value.length(); i++) {
            if (!Fields.isIdentifierChar(value.charAt(i))) {
                throw new IllegalArgumentException(field + " may hold only [A-Za-z0-9_.-], found "
                        + Fields.describe(value.charAt(i)) + " at index " + i);
            }
        }
    }

    private static final class Codec implements PayloadCodec<UsageLog> {
        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Class<UsageLog> payloadClass() {
            return UsageLog.class;
        }

        @Override
        public void write(UsageLog log, JsonGenerator out) throws IOException {
            out.writeStartObject();
            out.writeStringField("api_key_id", log.apiKeyId);
            out.writeStringField("asset", log.asset);
            out.writeStringField("source", log.source);
            out.writeNumberField("response_time_us", log.responseTimeUs);
            out.writeStringField("cache_tier", log.cacheTier);
            out.writeEndObject();
        }

        @Override
        public UsageLog read(JsonNode payload) throws InvalidRecordException {
            return new UsageLog(
                    Fields.identifier(payload, "api_key_id", 64),
                    Fields.identifier(payload, "asset", 32),
                    Fields.identifier(payload, "source", 64),
                    Fields.integer(payload, "response_time_us", 0, MAX_RESPONSE_TIME_US),
                    Fields.identifier(payload, "cache_tier", 32));
        }
    }
}
