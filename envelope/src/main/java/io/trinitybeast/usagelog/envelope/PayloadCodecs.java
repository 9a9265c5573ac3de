package io.trinitybeast.usagelog.envelope;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The payload codecs a producer or writer knows, by envelope type. Types without a codec are still
 * carried: the producer writes their payload with Jackson data binding, the writer sees raw JSON.
 */
public final class PayloadCodecs {

    private final Map<String, PayloadCodec<?>> byType = new ConcurrentHashMap<>();

    /** A registry holding {@link UsageLog#CODEC}. */
    public static PayloadCodecs standard() {
        return new PayloadCodecs().register(UsageLog.CODEC);
    }

    public PayloadCodecs register(PayloadCodec<?> codec) {
        PayloadCodec<?> previous = byType.putIfAbsent(codec.type(), codec);
        if (previous != null && previous != codec) {
            throw new IllegalStateException("a codec for type '" + codec.type() + "' is already registered");
        }
        return this;
    }

    public Optional<PayloadCodec<?>> forType(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    PayloadCodec<?> get(String type) {
        return byType.get(type);
    }
}
