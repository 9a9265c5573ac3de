package io.trinitybeast.usagelog.envelope;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * One record on the wire: {@code {"id","type","timestamp","node","payload"}}.
 *
 * @param id              time-ordered event id (UUIDv7), assigned once by the producer; the
 *                        writer's idempotency key, so every retry and duplicate delivery keeps it
 * @param type            routes the record to a handler in the writer, e.g. {@code usage_log}
 * @param timestampMillis when the record was created, UTC epoch milliseconds
 * @param node            the server that produced it, e.g. {@code BeastMain}
 * @param payload         the type's payload: a domain object when encoding, a
 *                        {@code JsonNode} object when decoded
 */
public record Envelope<P>(UUID id, String type, long timestampMillis, String node, P payload) {

    public Envelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(payload, "payload");
    }

    public Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }

    public <Q> Envelope<Q> withPayload(Q newPayload) {
        return new Envelope<>(id, type, timestampMillis, node, newPayload);
    }
}
