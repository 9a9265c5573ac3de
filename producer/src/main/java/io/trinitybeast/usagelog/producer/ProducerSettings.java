package io.trinitybeast.usagelog.producer;

import java.util.EnumMap;
import java.util.Map;

/** One consistent, validated set of parameter values; immutable. */
public final class ProducerSettings {

    private static final ProducerSettings DEFAULTS = new ProducerSettings(defaultValues());

    private final long[] values;

    private ProducerSettings(long[] values) {
        this.values = values;
    }

    public static ProducerSettings defaults() {
        return DEFAULTS;
    }

    private static long[] defaultValues() {
        long[] values = new long[ProducerParameter.values().length];
        for (ProducerParameter p : ProducerParameter.values()) {
            values[p.ordinal()] = p.defaultValue();
        }
        return values;
    }

    public long get(ProducerParameter parameter) {
        return values[parameter.ordinal()];
    }

    /** A copy with one value changed; throws {@link InvalidParameterException} when out of range. */
    public ProducerSettings with(ProducerParameter parameter, long value) {
        parameter.check(value);
        if (values[parameter.ordinal()] == value) {
            return this;
        }
        long[] copy = values.clone();
        copy[parameter.ordinal()] = value;
        return new ProducerSettings(copy);
    }

    public int batchSize() {
        return (int) get(ProducerParameter.BATCH_SIZE);
    }

    public long flushMs() {
        return get(ProducerParameter.FLUSH_MS);
    }

    public int bufferSize() {
        return (int) get(ProducerParameter.BUFFER_SIZE);
    }

    public long timeoutMs() {
        return get(ProducerParameter.TIMEOUT_MS);
    }

    public int maxInFlight() {
        return (int) get(ProducerParameter.MAX_IN_FLIGHT);
    }

    /** The packing budget, never above the size limit; 0 means one record per message. */
    public int packBytes() {
        return (int) Math.min(get(ProducerParameter.PACK_BYTES), sizeLimitBytes());
    }

    public int sizeLimitBytes() {
        return (int) get(ProducerParameter.SIZE_LIMIT_BYTES);
    }

    public long retryBaseMs() {
        return get(ProducerParameter.RETRY_BASE_MS);
    }

    public long retryMaxMs() {
        return Math.max(get(ProducerParameter.RETRY_MAX_MS), retryBaseMs());
    }

    public Map<ProducerParameter, Long> asMap() {
        Map<ProducerParameter, Long> map = new EnumMap<>(ProducerParameter.class);
        for (ProducerParameter p : ProducerParameter.values()) {
            map.put(p, values[p.ordinal()]);
        }
        return map;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProducerSettings other && java.util.Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ProducerSettings{");
        for (ProducerParameter p : ProducerParameter.values()) {
            s.append(p.ordinal() == 0 ? "" : ", ").append(p.parameterName()).append('=').append(values[p.ordinal()]);
        }
        return s.append('}').toString();
    }
}
