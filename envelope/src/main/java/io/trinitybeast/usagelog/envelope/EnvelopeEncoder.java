package io.trinitybeast.usagelog.envelope;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Serializes envelopes to UTF-8 JSON. Not thread-safe: the producer's flusher owns one and reuses
 * its buffers for every record.
 *
 * <p>Every character outside printable ASCII is written as a {@code \\uXXXX} escape. SQS refuses
 * bodies with characters outside XML's range (lone surrogates, U+FFFE, most controls), and one
 * such character in a packed message would fail hundreds of good records with it; escaped, any
 * Java string travels, and the byte size of a record is what the size budget counts. Unpaired
 * surrogates in data-bound payloads become U+FFFD (see {@link Unicode}).
 */
public final class EnvelopeEncoder {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private final PayloadCodecs codecs;
    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private JsonGenerator generator;
    private final Timestamps.Cache timestamps = new Timestamps.Cache();

    public EnvelopeEncoder(PayloadCodecs codecs) {
        this.codecs = codecs;
        this.generator = newGenerator();
    }

    private JsonGenerator newGenerator() {
        try {
            JsonGenerator created = MAPPER.getFactory().createGenerator(buffer, JsonEncoding.UTF8);
            created.setRootValueSeparator(null);
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The UTF-8 bytes of one envelope.
     *
     * @throws IllegalArgumentException if the payload cannot be written as JSON
     */
    public byte[] encode(Envelope<?> envelope) {
        buffer.reset();
        try {
            write(envelope);
            generator.flush();
        } catch (IOException | RuntimeException e) {
            resetAfterFailure();
            throw new IllegalArgumentException("cannot encode " + envelope.type() + " payload of "
                    + envelope.payload().getClass().getName() + ": " + e.getMessage(), e);
        }
        return buffer.toByteArray();
    }

    /** A whole message body: the bare envelope for one, a JSON array for packed. */
    public String encodeBody(List<? extends Envelope<?>> envelopes, boolean packed) {
        if (!packed && envelopes.size() != 1) {
            throw new IllegalArgumentException("an unpacked body carries exactly one envelope");
        }
        StringBuilder body = new StringBuilder();
        if (packed) {
            body.append('[');
        }
        for (int i = 0; i < envelopes.size(); i++) {
            if (i > 0) {
                body.append(',');
            }
            // The encoder writes ASCII only, so ISO-8859-1 decoding is exact and cheapest.
            body.append(new String(encode(envelopes.get(i)), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        if (packed) {
            body.append(']');
        }
        return body.toString();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void write(Envelope<?> envelope) throws IOException {
        JsonGenerator out = generator;
        out.writeStartObject();
        out.writeStringField("id", envelope.id().toString());
        out.writeStringField("type", envelope.type());
        out.writeFieldName("timestamp");
        out.writeString(timestamps.format(envelope.timestampMillis()), 0, Timestamps.LENGTH);
        out.writeStringField("node", envelope.node());
        out.writeFieldName("payload");
        Object payload = envelope.payload();
        PayloadCodec codec = codecs.get(envelope.type());
        if (codec != null && codec.payloadClass().isInstance(payload)) {
            codec.write(payload, out);
        } else if (payload instanceof JsonNode node) {
            if (!node.isObject()) {
                throw new IllegalArgumentException("payload must be a JSON object");
            }
            out.writeTree(Unicode.scrub(node));
        } else {
            JsonNode tree = MAPPER.valueToTree(payload);
            if (!tree.isObject()) {
                throw new IllegalArgumentException("payload must serialize to a JSON object");
            }
            out.writeTree(Unicode.scrub(tree));
        }
        out.writeEndObject();
    }

    private void resetAfterFailure() {
        // A generator left mid-object cannot be rewound: start a fresh one on the same buffer.
        buffer.reset();
        generator = newGenerator();
    }
}
