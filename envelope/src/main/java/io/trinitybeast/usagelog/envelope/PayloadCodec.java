package io.trinitybeast.usagelog.envelope;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Writes and strictly reads the payload of one envelope {@code type}. A new record type is one
 * codec plus one handler in the writer; the envelope and the queue do not change.
 */
public interface PayloadCodec<P> {

    /** The envelope {@code type} this codec owns. */
    String type();

    Class<P> payloadClass();

    /** Writes {@code payload} as one JSON object. Called on the producer's flusher thread. */
    void write(P payload, JsonGenerator out) throws IOException;

    /**
     * Reads and validates a payload object.
     *
     * @throws InvalidRecordException naming the field and the rule it breaks
     */
    P read(JsonNode payload) throws InvalidRecordException;
}
