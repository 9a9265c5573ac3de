package io.trinitybeast.usagelog.writer;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.databind.JsonNode;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.EnvelopeDecoder;
import io.trinitybeast.usagelog.envelope.EnvelopeDecoder.DecodedMessage;
import io.trinitybeast.usagelog.envelope.EnvelopeDecoder.RejectedRecord;
import io.trinitybeast.usagelog.envelope.InvalidRecordException;
import io.trinitybeast.usagelog.envelope.MalformedMessageException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The queued writer's logic, independent of the Lambda runtime: a batch of SQS messages in, a
 * partial batch response out.
 *
 * <ul>
 *   <li>A message that cannot be read (not JSON, not an envelope), or whose single envelope is
 *       invalid or of an unknown type, fails alone: it is reported in {@code batchItemFailures},
 *       retried, and dead-lettered after {@code maxReceiveCount} receives.</li>
 *   <li>Inside a packed message, an invalid record is parked in {@code rejected_records} with its
 *       reason and the message's good records are stored; the message succeeds. A record of an
 *       unknown type fails the message (a handler may be deployed later), while its good records
 *       are still stored; the retry finds them stored and skips them.</li>
 *   <li>Everything is written in one transaction. A database failure fails the whole invocation,
 *       with nothing half-written, and every message returns to the queue.</li>
 * </ul>
 */
public final class QueuedWriter {

    private final WriterDatabase database;
    private final RecordHandlers handlers;
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();

    public QueuedWriter(WriterDatabase database, RecordHandlers handlers) {
        this.database = database;
        this.handlers = handlers;
    }

    /**
     * The outcome of one batch.
     *
     * @param failedMessages the reason each failed message failed, by message id
     */
    public record Outcome(SQSBatchResponse response, InvocationReport report, Map<String, String> failedMessages) {}

    /**
     * Writes one batch.
     *
     * @throws WriterException when the database transaction fails: nothing was written, and the
     *     caller must fail the whole invocation
     */
    public Outcome write(List<SQSMessage> messages) {
        long started = System.nanoTime();
        Batch batch = new Batch();
        for (SQSMessage message : messages) {
            read(message, batch);
        }
        int inserted;
        try {
            inserted = store(batch);
        } catch (SQLException e) {
            InvocationReport report = batch.report(messages.size(), 0, started, true);
            throw new WriterException("database write failed (" + e.getSQLState() + "): " + e.getMessage()
                    + "; the whole batch returns to the queue", e, report);
        }
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (String messageId : batch.failedMessages.keySet()) {
            failures.add(SQSBatchResponse.BatchItemFailure.builder().withItemIdentifier(messageId).build());
        }
        return new Outcome(SQSBatchResponse.builder().withBatchItemFailures(failures).build(),
                batch.report(messages.size(), inserted, started, false), Map.copyOf(batch.failedMessages));
    }

    private void read(SQSMessage message, Batch batch) {
        DecodedMessage decoded;
        try {
            decoded = decoder.decode(message.getBody());
        } catch (MalformedMessageException e) {
            batch.fail(message, "malformed", e.getMessage());
            return;
        }
        batch.records += decoded.envelopes().size() + decoded.rejected().size();
        if (!decoded.packed()) {
            if (!decoded.rejected().isEmpty()) {
                batch.fail(message, "invalid_record", decoded.rejected().get(0).reason());
                return;
            }
            Envelope<JsonNode> envelope = decoded.envelopes().get(0);
            RecordHandler<?> handler = handlers.forType(envelope.type());
            if (handler == null) {
                batch.fail(message, "unknown_type", "no handler for type '" + envelope.type() + "'");
                return;
            }
            try {
                batch.add(handler, EnvelopeDecoder.typed(envelope, handler.codec()));
            } catch (InvalidRecordException e) {
                batch.fail(message, "invalid_record", e.getMessage());
            }
            return;
        }
        Set<Integer> rejectedIndexes = new HashSet<>();
        for (RejectedRecord rejected : decoded.rejected()) {
            rejectedIndexes.add(rejected.index());
            batch.park(message, rejected);
        }
        String unknownType = null;
        int index = 0;
        for (Envelope<JsonNode> envelope : decoded.envelopes()) {
            while (rejectedIndexes.contains(index)) {
                index++;
            }
            RecordHandler<?> handler = handlers.forType(envelope.type());
            if (handler == null) {
                unknownType = envelope.type();
            } else {
                try {
                    batch.add(handler, EnvelopeDecoder.typed(envelope, handler.codec()));
                } catch (InvalidRecordException e) {
                    batch.park(message, new RejectedRecord(index, envelope.id().toString(), e.getMessage(),
                            EnvelopeJson.of(envelope)));
                }
            }
            index++;
        }
        if (unknownType != null) {
            batch.fail(message, "unknown_type", "no handler for type '" + unknownType + "'");
        }
    }

    private int store(Batch batch) throws SQLException {
        if (batch.byHandler.isEmpty() && batch.parked.isEmpty()) {
            return 0;
        }
        Map<RecordHandler<?>, List<Envelope<?>>> byHandler = new LinkedHashMap<>();
        for (Map.Entry<RecordHandler<?>, Map<UUID, Envelope<?>>> entry : batch.byHandler.entrySet()) {
            List<Envelope<?>> records = sorted(entry.getValue());
            byHandler.put(entry.getKey(), records);
            prepare(entry.getKey(), records);
        }
        return database.inTransaction(transaction -> {
            int inserted = 0;
            for (Map.Entry<RecordHandler<?>, List<Envelope<?>>> entry : byHandler.entrySet()) {
                inserted += write(transaction, entry.getKey(), entry.getValue());
            }
            park(transaction, batch.parked);
            return inserted;
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void prepare(RecordHandler handler, List<Envelope<?>> records) throws SQLException {
        database.autocommit(connection -> {
            handler.prepare(connection, (List) records);
            return null;
        });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int write(Connection transaction, RecordHandler handler, List<Envelope<?>> records) throws SQLException {
        return handler.write(transaction, (List) records);
    }

    /** Records sorted by id: every writer takes row locks in the same order. */
    private static List<Envelope<?>> sorted(Map<UUID, Envelope<?>> records) {
        List<Envelope<?>> list = new ArrayList<>(records.values());
        list.sort(Comparator.comparing(Envelope::id));
        return list;
    }

    static final String PARK = """
            INSERT INTO rejected_records (record_digest, message_id, record_index, event_id, type, reason, record)
            SELECT sha256(convert_to(r.record, 'UTF8')), r.message_id, r.record_index, r.event_id, r.type, r.reason, r.record
            FROM unnest(?::text[], ?::int4[], ?::text[], ?::text[], ?::text[], ?::text[])
                AS r(message_id, record_index, event_id, type, reason, record)
            ON CONFLICT (record_digest) DO NOTHING
            """;

    private static void park(Connection transaction, List<Parked> parked) throws SQLException {
        if (parked.isEmpty()) {
            return;
        }
        int n = parked.size();
        String[] messageIds = new String[n];
        Integer[] indexes = new Integer[n];
        String[] eventIds = new String[n];
        String[] types = new String[n];
        String[] reasons = new String[n];
        String[] records = new String[n];
        for (int i = 0; i < n; i++) {
            Parked p = parked.get(i);
            messageIds[i] = p.messageId();
            indexes[i] = p.record().index();
            eventIds[i] = p.record().id();
            types[i] = p.type();
            reasons[i] = p.record().reason();
            records[i] = p.record().json().replace("\u0000", "\\u0000"); // PostgreSQL text holds no NUL
        }
        try (PreparedStatement insert = transaction.prepareStatement(PARK)) {
            insert.setArray(1, transaction.createArrayOf("text", messageIds));
            insert.setArray(2, transaction.createArrayOf("int4", indexes));
            insert.setArray(3, transaction.createArrayOf("text", eventIds));
            insert.setArray(4, transaction.createArrayOf("text", types));
            insert.setArray(5, transaction.createArrayOf("text", reasons));
            insert.setArray(6, transaction.createArrayOf("text", records));
            insert.executeUpdate();
        }
    }

    record Parked(String messageId, String type, RejectedRecord record) {}

    /** What one batch holds once read. */
    private static final class Batch {
        final Map<RecordHandler<?>, Map<UUID, Envelope<?>>> byHandler = new LinkedHashMap<>();
        final List<Parked> parked = new ArrayList<>();
        final Map<String, String> failedMessages = new LinkedHashMap<>();
        final Map<String, Integer> failuresByReason = new TreeMap<>();
        int records;
        int repeated;

        void add(RecordHandler<?> handler, Envelope<?> record) {
            if (byHandler.computeIfAbsent(handler, h -> new LinkedHashMap<>()).putIfAbsent(record.id(), record) != null) {
                repeated++; // the same record twice in one batch: stored once
            }
        }

        void park(SQSMessage message, RejectedRecord record) {
            String type = null;
            int at = record.json().indexOf("\"type\":\"");
            if (at >= 0) {
                int end = record.json().indexOf('"', at + 8);
                type = end > at ? record.json().substring(at + 8, Math.min(end, at + 8 + 64)) : null;
            }
            parked.add(new Parked(message.getMessageId(), type, record));
        }

        void fail(SQSMessage message, String reason, String detail) {
            if (failedMessages.putIfAbsent(message.getMessageId(), reason + ": " + detail) == null) {
                failuresByReason.merge(reason, 1, Integer::sum);
            }
        }

        int valid() {
            int valid = 0;
            for (Map<UUID, Envelope<?>> records : byHandler.values()) {
                valid += records.size();
            }
            return valid;
        }

        InvocationReport report(int messages, int inserted, long started, boolean databaseFailed) {
            return new InvocationReport(messages, records, inserted, databaseFailed ? 0 : valid() - inserted + repeated,
                    databaseFailed ? 0 : parked.size(), databaseFailed ? messages : failedMessages.size(),
                    Map.copyOf(failuresByReason), (System.nanoTime() - started) / 1_000_000, databaseFailed);
        }
    }
}
