package io.trinitybeast.usagelog.envelope;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Strict reader of message bodies. Thread-safe.
 *
 * <p>A body that is not JSON, or not an envelope object or a non-empty array of them, is a
 * {@link MalformedMessageException}: nothing in it can be trusted. Inside a packed array each
 * element is judged alone: a bad element becomes a {@link RejectedRecord} carrying the reason,
 * and the good ones are returned beside it.
 */
public final class EnvelopeDecoder {

    /** The envelope format version this reader understands; envelopes without {@code v} are version 1. */
    public static final int FORMAT_VERSION = 1;
    public static final int MAX_NODE_LENGTH = 128;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One message body, decoded. */
    public record DecodedMessage(boolean packed, List<Envelope<JsonNode>> envelopes, List<RejectedRecord> rejected) {}

    /**
     * A record that could not be accepted.
     *
     * @param index  its position in the packed array, 0 for an unpacked body
     * @param id     its id if it had a readable one, else null
     * @param reason which rule it broke
     * @param json   the record as received, for the operator and the dead-letter table
     */
    public record RejectedRecord(int index, String id, String reason, String json) {}

    public DecodedMessage decode(String body) throws MalformedMessageException {
        if (body == null || body.isEmpty()) {
            throw new MalformedMessageException("empty message body");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException("body is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new MalformedMessageException("empty message body");
        }
        if (root.isObject()) {
            try {
                return new DecodedMessage(false, List.of(envelope(root)), List.of());
            } catch (InvalidRecordException e) {
                return new DecodedMessage(false, List.of(), List.of(rejected(0, root, e)));
            }
        }
        if (!root.isArray()) {
            throw new MalformedMessageException("body must be an envelope object or an array of them, got "
                    + root.getNodeType().name().toLowerCase());
        }
        if (root.isEmpty()) {
            throw new MalformedMessageException("packed body holds no envelopes");
        }
        List<Envelope<JsonNode>> envelopes = new ArrayList<>(root.size());
        List<RejectedRecord> rejected = new ArrayList<>(0);
        for (int i = 0; i < root.size(); i++) {
            JsonNode element = root.get(i);
            try {
                envelopes.add(envelope(element));
            } catch (InvalidRecordException e) {
                rejected.add(rejected(i, element, e));
            }
        }
        return new DecodedMessage(true, envelopes, rejected);
    }

    /** Reads one envelope; the payload stays JSON for its type's codec to read. */
    public static Envelope<JsonNode> envelope(JsonNode node) throws InvalidRecordException {
        if (!node.isObject()) {
            throw new InvalidRecordException("envelope must be a JSON object, got " + node.getNodeType().name().toLowerCase());
        }
        JsonNode version = node.get("v");
        if (version != null && !(version.isIntegralNumber() && version.asLong() == FORMAT_VERSION)) {
            throw new InvalidRecordException("unsupported envelope version v=" + version
                    + "; this reader understands " + FORMAT_VERSION);
        }
        UUID id = id(node);
        String type = Fields.string(node, "type", EnvelopeType.MAX_LENGTH);
        if (!EnvelopeType.isValid(type)) {
            throw new InvalidRecordException("type must match [a-z][a-z0-9_]{0,63}, got '" + Timestamps.abbreviate(type) + "'");
        }
        long timestamp = Timestamps.parse(Fields.string(node, "timestamp", Timestamps.LENGTH + 16));
        String nodeName = Fields.string(node, "node", MAX_NODE_LENGTH);
        for (int i = 0; i < nodeName.length(); i++) {
            if (Character.isISOControl(nodeName.charAt(i))) {
                throw new InvalidRecordException("node must not hold control characters, found "
                        + Fields.describe(nodeName.charAt(i)) + " at index " + i);
            }
        }
        JsonNode payload = node.get("payload");
        if (payload == null || payload.isNull()) {
            throw new InvalidRecordException("payload is required");
        }
        if (!payload.isObject()) {
            throw new InvalidRecordException("payload must be a JSON object, got " + payload.getNodeType().name().toLowerCase());
        }
        return new Envelope<>(id, type, timestamp, nodeName, payload);
    }

    /** Reads and validates an envelope's payload with its type's codec. */
    public static <P> Envelope<P> typed(Envelope<JsonNode> envelope, PayloadCodec<P> codec) throws InvalidRecordException {
        return envelope.withPayload(codec.read(envelope.payload()));
    }

    private static UUID id(JsonNode node) throws InvalidRecordException {
        String text = Fields.string(node, "id", 36);
        if (text.length() != 36 || text.charAt(8) != '-' || text.charAt(13) != '-' || text.charAt(18) != '-'
                || text.charAt(23) != '-') {
            throw new InvalidRecordException("id must be a UUID in canonical 8-4-4-4-12 form, got '"
                    + Timestamps.abbreviate(text) + "'");
        }
        for (int i = 0; i < 36; i++) {
            char c = text.charAt(i);
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (!hex && c != '-') {
                throw new InvalidRecordException("id must be a UUID in canonical 8-4-4-4-12 form, got '"
                        + Timestamps.abbreviate(text) + "'");
            }
        }
        return UUID.fromString(text);
    }

    private static RejectedRecord rejected(int index, JsonNode element, InvalidRecordException e) {
        JsonNode id = element.isObject() ? element.get("id") : null;
        return new RejectedRecord(index, id != null && id.isTextual() ? id.textValue() : null, e.getMessage(),
                element.toString());
    }
}
