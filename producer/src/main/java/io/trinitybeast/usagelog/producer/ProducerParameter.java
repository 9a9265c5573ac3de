package io.trinitybeast.usagelog.producer;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The producer's runtime-adjustable parameters: the seed's four, and those this producer adds.
 * Names are the rows of the {@code application_parameters} table.
 */
public enum ProducerParameter {
    BATCH_SIZE("sqs_batch_size", 10, 1, 10, "Messages per SQS SendMessageBatch call"),
    FLUSH_MS("sqs_flush_ms", 100, 1, Integer.MAX_VALUE, "Flush interval in milliseconds"),
    BUFFER_SIZE("sqs_buffer_size", 50_000, 1, Integer.MAX_VALUE, "Buffer capacity in records before dropping"),
    TIMEOUT_MS("sqs_timeout_ms", 3_000, 1, Integer.MAX_VALUE, "Per-batch SQS API call timeout in milliseconds"),
    MAX_IN_FLIGHT("sqs_max_in_flight", 8, 1, 256,
            "SendMessageBatch calls in flight or awaiting retry at once"),
    PACK_BYTES("sqs_pack_bytes", 65_536, 0, 1_048_576,
            "Byte budget for packing records into one message; 0 sends one record per message"),
    SIZE_LIMIT_BYTES("sqs_size_limit_bytes", 1_048_576, 1_024, 1_048_576,
            "SQS's size limit for one message and for one SendMessageBatch request"),
    RETRY_BASE_MS("sqs_retry_base_ms", 50, 1, 60_000, "First retry backoff in milliseconds, doubled per attempt"),
    RETRY_MAX_MS("sqs_retry_max_ms", 5_000, 1, 600_000, "Longest retry backoff in milliseconds");

    private static final Map<String, ProducerParameter> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(ProducerParameter::parameterName, Function.identity()));

    private final String parameterName;
    private final long defaultValue;
    private final long min;
    private final long max;
    private final String description;

    ProducerParameter(String parameterName, long defaultValue, long min, long max, String description) {
        this.parameterName = parameterName;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
        this.description = description;
    }

    public String parameterName() {
        return parameterName;
    }

    public long defaultValue() {
        return defaultValue;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    public String description() {
        return description;
    }

    /** The allowed range as an operator reads it: {@code 1–10}, {@code > 0}, {@code 0–1048576}. */
    public String range() {
        if (max == Integer.MAX_VALUE) {
            return min == 1 ? "> 0" : ">= " + min;
        }
        return min + "–" + max;
    }

    public static Optional<ProducerParameter> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name == null ? null : name.toLowerCase(Locale.ROOT)));
    }

    /**
     * Parses and range-checks a raw value.
     *
     * @throws InvalidParameterException naming this parameter and its range
     */
    public long parse(String raw) {
        if (raw == null) {
            throw invalid("null");
        }
        long value;
        try {
            value = Long.parseLong(raw.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw invalid("'" + raw + "'");
        }
        return check(value);
    }

    public long check(long value) {
        if (value < min || value > max) {
            throw invalid(Long.toString(value));
        }
        return value;
    }

    private InvalidParameterException invalid(String got) {
        return new InvalidParameterException(this, parameterName + " must be an integer " + range() + " ("
                + description + "), got " + got);
    }
}
