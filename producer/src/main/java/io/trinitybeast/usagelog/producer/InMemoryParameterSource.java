package io.trinitybeast.usagelog.producer;

import java.util.HashMap;
import java.util.Map;

/** A parameter source held in memory, for tests, the demo and embedding. Thread-safe. */
public final class InMemoryParameterSource implements ParameterSource {

    private volatile Map<String, String> values = Map.of();

    /**
     * Sets one parameter.
     *
     * @throws InvalidParameterException if the value is out of range; the previous value stays
     * @throws IllegalArgumentException  if no such parameter exists
     */
    public InMemoryParameterSource set(ProducerParameter parameter, long value) {
        parameter.check(value);
        return put(parameter.parameterName(), Long.toString(value));
    }

    /** Sets one parameter from its raw text, validating it as the producer will. */
    public InMemoryParameterSource set(String name, String value) {
        ProducerParameter parameter = ProducerParameter.byName(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown parameter '" + name + "'"));
        parameter.parse(value);
        return put(parameter.parameterName(), value);
    }

    /** Stores a raw value without validating it, as a database row edited by hand would. */
    public InMemoryParameterSource setUnchecked(String name, String value) {
        return put(name, value);
    }

    private synchronized InMemoryParameterSource put(String name, String value) {
        Map<String, String> copy = new HashMap<>(values);
        copy.put(name, value);
        values = Map.copyOf(copy);
        return this;
    }

    @Override
    public Map<String, String> values() {
        return values;
    }
}
