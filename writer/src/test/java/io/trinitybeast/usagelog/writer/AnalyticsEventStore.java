package io.trinitybeast.usagelog.writer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.Fields;
import io.trinitybeast.usagelog.envelope.InvalidRecordException;
import io.trinitybeast.usagelog.envelope.PayloadCodec;
import io.trinitybeast.usagelog.envelope.UuidV7;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The seed's example of a future type, analytics_event: one codec, one handler, one registration. */
class AnalyticsEventStore implements RecordHandler<AnalyticsEventStore.AnalyticsEvent> {

    record AnalyticsEvent(String event, String path) {}

    static Envelope<AnalyticsEvent> event(UuidV7 ids, String event, String path) {
        long now = WriterFixture.DEC_4_2026;
        return new Envelope<>(ids.next(now), "analytics_event", now, "test-node", new AnalyticsEvent(event, path));
    }

    private static final PayloadCodec<AnalyticsEvent> CODEC = new PayloadCodec<>() {
        @Override
        public String type() {
            return "analytics_event";
        }

        @Override
        public Class<AnalyticsEvent> payloadClass() {
            return AnalyticsEvent.class;
        }

        @Override
        public void write(AnalyticsEvent payload, JsonGenerator out) throws IOException {
            out.writeStartObject();
            out.writeStringField("event", payload.event());
            out.writeStringField("path", payload.path());
            out.writeEndObject();
        }

        @Override
        public AnalyticsEvent read(JsonNode payload) throws InvalidRecordException {
            return new AnalyticsEvent(Fields.identifier(payload, "event", 64), Fields.string(payload, "path", 2048));
        }
    };

    void createTable(LocalDatabase.Database database) throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE analytics_events (event_id uuid PRIMARY KEY, event text NOT NULL, path text NOT NULL)");
        }
    }

    @Override
    public PayloadCodec<AnalyticsEvent> codec() {
        return CODEC;
    }

    @Override
    public int write(Connection transaction, List<Envelope<AnalyticsEvent>> records) throws SQLException {
        String[] ids = records.stream().map(r -> r.id().toString()).toArray(String[]::new);
        String[] events = records.stream().map(r -> r.payload().event()).toArray(String[]::new);
        String[] paths = records.stream().map(r -> r.payload().path()).toArray(String[]::new);
        try (PreparedStatement insert = transaction.prepareStatement(
                "INSERT INTO analytics_events SELECT * FROM unnest(?::uuid[], ?::text[], ?::text[]) ON CONFLICT DO NOTHING")) {
            insert.setArray(1, transaction.createArrayOf("text", ids));
            insert.setArray(2, transaction.createArrayOf("text", events));
            insert.setArray(3, transaction.createArrayOf("text", paths));
            return insert.executeUpdate();
        }
    }
}
