package io.trinitybeast.usagelog.producer;

import java.util.Map;

/**
 * Where the producer's parameters come from at runtime: raw {@code name -> value} pairs, read on
 * every flusher tick, so it must answer from memory (a database-backed source refreshes in the
 * background). Names the producer does not know are ignored; values are validated by the
 * producer, which keeps the last valid value of a parameter whose new value is invalid.
 */
@FunctionalInterface
public interface ParameterSource {

    Map<String, String> values();

    /** A source that never changes anything: the defaults stay in force. */
    static ParameterSource defaults() {
        return Map::of;
    }
}
