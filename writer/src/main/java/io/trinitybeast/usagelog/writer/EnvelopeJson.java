package io.trinitybeast.usagelog.writer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.Timestamps;

/** An envelope written back as JSON, for the record kept beside a rejection. */
final class EnvelopeJson {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private EnvelopeJson() {}

    static String of(Envelope<JsonNode> envelope) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", envelope.id().toString());
        json.put("type", envelope.type());
        json.put("timestamp", Timestamps.format(envelope.timestampMillis()));
        json.put("node", envelope.node());
        json.set("payload", envelope.payload());
        return json.toString();
    }
}
