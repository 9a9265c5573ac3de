package io.trinitybeast.usagelog.writer;

import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.EnvelopeEncoder;
import io.trinitybeast.usagelog.envelope.PayloadCodecs;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.envelope.UuidV7;
import io.trinitybeast.usagelog.peers.LocalDatabase;
import io.trinitybeast.usagelog.schema.UsageLogSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/** A migrated database of its own, and the means to build the messages a writer receives. */
final class WriterFixture {

    static final long DEC_4_2026 = 1_796_400_000_000L; // 2026-12-04T16:00:00Z

    final LocalDatabase.Database database;
    final EnvelopeEncoder encoder = new EnvelopeEncoder(PayloadCodecs.standard());
    final UuidV7 ids = new UuidV7();
    private final AtomicInteger messageIds = new AtomicInteger();

    WriterFixture() {
        database = LocalDatabase.forTests().freshDatabase();
        UsageLogSchema.migrate(database.dataSource());
    }

    WriterDatabase writerDatabase() {
        return new WriterDatabase(() -> new WriterDatabase.Credentials(database.jdbcUrl(), database.user(), database.password()));
    }

    QueuedWriter writer() {
        return new QueuedWriter(writerDatabase(), RecordHandlers.standard());
    }

    Envelope<UsageLog> record(String apiKey, long epochMillis) {
        return new Envelope<>(ids.next(epochMillis), UsageLog.TYPE, epochMillis, "test-node",
                new UsageLog(apiKey, "BTC", "binance", 42, "L1_MEMORY"));
    }

    SQSMessage single(Envelope<?> envelope) {
        return message(encoder.encodeBody(List.of(envelope), false));
    }

    SQSMessage packed(List<? extends Envelope<?>> envelopes) {
        return message(encoder.encodeBody(envelopes, true));
    }

    SQSMessage message(String body) {
        SQSMessage message = new SQSMessage();
        message.setMessageId("msg-" + messageIds.incrementAndGet());
        message.setReceiptHandle("rh-" + message.getMessageId());
        message.setBody(body);
        message.setEventSource("aws:sqs");
        message.setEventSourceArn("arn:aws:sqs:us-east-2:000000000000:trinity-beast-queued-usage-logs");
        message.setAttributes(Map.of("ApproximateReceiveCount", "1", "SentTimestamp", Long.toString(System.currentTimeMillis())));
        return message;
    }

    /** A copy of a message as SQS re-delivers it: same id and body. */
    static SQSMessage again(SQSMessage message) {
        SQSMessage copy = new SQSMessage();
        copy.setMessageId(message.getMessageId());
        copy.setReceiptHandle(message.getReceiptHandle() + "-again");
        copy.setBody(message.getBody());
        copy.setAttributes(message.getAttributes());
        return copy;
    }

    long count(String sql) throws SQLException {
        try (Connection c = database.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** current_usage as "api_key_id/period_start" to request_count. */
    Map<String, Long> counters() throws SQLException {
        Map<String, Long> counters = new TreeMap<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT api_key_id, period_start, request_count FROM current_usage")) {
            while (rs.next()) {
                counters.put(rs.getString(1) + "/" + rs.getDate(2), rs.getLong(3));
            }
        }
        return counters;
    }

    List<UUID> storedIds() throws SQLException {
        List<UUID> stored = new java.util.ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT event_id FROM usage_logs ORDER BY event_id")) {
            while (rs.next()) {
                stored.add(rs.getObject(1, UUID.class));
            }
        }
        return stored;
    }
}
