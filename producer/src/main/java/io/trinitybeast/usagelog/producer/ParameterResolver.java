package io.trinitybeast.usagelog.producer;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link ParameterSource}'s raw values into {@link ProducerSettings}, keeping the last
 * valid value of any parameter whose new value is invalid. Each distinct bad value is logged once
 * and reported to {@code onRejected}. Used by the flusher thread only.
 */
final class ParameterResolver {

    private static final Logger log = LoggerFactory.getLogger(ParameterResolver.class);

    private final ParameterSource source;
    private final Consumer<ProducerParameter> onRejected;
    private final Map<ProducerParameter, String> lastRejected = new HashMap<>();
    private Map<String, String> lastRaw;
    private ProducerSettings current;

    ParameterResolver(ParameterSource source, ProducerSettings initial, Consumer<ProducerParameter> onRejected) {
        this.source = source;
        this.current = initial;
        this.onRejected = onRejected;
    }

    ProducerSettings current() {
        return current;
    }

    ProducerSettings refresh() {
        Map<String, String> raw;
        try {
            raw = source.values();
        } catch (RuntimeException e) {
            log.warn("parameter source failed, keeping current settings: {}", e.toString());
            return current;
        }
        if (raw == lastRaw || raw == null) {
            return current; // unchanged snapshot: the common case, no work
        }
        lastRaw = raw;
        ProducerSettings next = current;
        for (Map.Entry<String, String> entry : raw.entrySet()) {
            ProducerParameter parameter = ProducerParameter.byName(entry.getKey()).orElse(null);
            if (parameter == null) {
                continue;
            }
            try {
                next = next.with(parameter, parameter.parse(entry.getValue()));
                lastRejected.remove(parameter);
            } catch (InvalidParameterException e) {
                if (!Objects.equals(lastRejected.put(parameter, entry.getValue()), entry.getValue())) {
                    log.warn("rejected parameter value, keeping {}={}: {}", parameter.parameterName(),
                            next.get(parameter), e.getMessage());
                    onRejected.accept(parameter);
                }
            }
        }
        if (!next.equals(current)) {
            log.info("producer parameters now {}", next);
        }
        current = next;
        return current;
    }
}
