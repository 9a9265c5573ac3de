package io.trinitybeast.usagelog.producer;

import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.EnvelopeEncoder;
import io.trinitybeast.usagelog.envelope.EnvelopeType;
import io.trinitybeast.usagelog.envelope.UuidV7;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MessagePassingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's one background thread: drains the buffer, gives each record its event id,
 * encodes and packs records into messages and messages into batches, and hands full batches to
 * the {@link BatchSender}. A full batch goes out as soon as it is assembled; a partial one at the
 * next tick ({@code sqs_flush_ms}). Parameters are re-read at every tick, after the partial batch
 * assembled under the old ones has been sealed.
 */
final class Flusher implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(Flusher.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int DRAIN_LIMIT = 4096;

    private final MessagePassingQueue<PendingRecord> buffer;
    private final BatchSender sender;
    private final ParameterResolver parameters;
    private final ProducerMetrics metrics;
    private final UsageLogProducer owner;
    private final String node;
    private final EnvelopeEncoder encoder;
    private final UuidV7 ids = new UuidV7();
    private final RateLimitedLog failureLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));

    private ProducerSettings settings;
    private byte[] pack = new byte[70_000];
    private int packLength;
    private int packRecords;
    private final List<OutgoingMessage> batch = new ArrayList<>(10);
    private int batchBytes;
    private final ArrayDeque<OutgoingBatch> ready = new ArrayDeque<>();

    volatile boolean closing;
    volatile boolean abandoned;

    Flusher(MessagePassingQueue<PendingRecord> buffer, BatchSender sender, ParameterResolver parameters,
            ProducerMetrics metrics, UsageLogProducer owner, String node, EnvelopeEncoder encoder) {
        this.buffer = buffer;
        this.sender = sender;
        this.parameters = parameters;
        this.metrics = metrics;
        this.owner = owner;
        this.node = node;
        this.encoder = encoder;
        this.settings = parameters.current();
    }

    @Override
    public void run() {
        long nextTick = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.flushMs());
        while (!abandoned) {
            try {
                boolean progress = dispatchReady();
                if (ready.isEmpty()) {
                    progress |= drain();
                }
                long now = System.nanoTime();
                boolean finishing = closing;
                if (now - nextTick >= 0 || finishing) {
                    sealPack();
                    sealBatch();
                    applySettings(parameters.refresh());
                    progress |= dispatchReady();
                    nextTick = now + TimeUnit.MILLISECONDS.toNanos(settings.flushMs());
                }
                if (finishing && buffer.isEmpty() && ready.isEmpty() && packRecords == 0 && batch.isEmpty()) {
                    return;
                }
                if (!progress) {
                    LockSupport.parkNanos(this, Math.max(1, Math.min(IDLE_PARK_NANOS, nextTick - System.nanoTime())));
                }
            } catch (RuntimeException | Error e) {
                // The loop must survive anything a payload or a parameter source can throw.
                log.error("flusher iteration failed; continuing", e);
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            }
        }
    }

    private void applySettings(ProducerSettings next) {
        if (next != settings) {
            settings = next;
            sender.apply(next);
            owner.applied(next);
        }
    }

    private boolean dispatchReady() {
        boolean progress = false;
        while (!ready.isEmpty() && sender.tryAcquireSlot()) {
            sender.send(ready.poll());
            progress = true;
        }
        return progress;
    }

    /** Drains until a batch is ready to go, the buffer is empty, or the per-iteration limit is reached. */
    private boolean drain() {
        int drained = 0;
        PendingRecord record;
        while (ready.isEmpty() && drained < DRAIN_LIMIT && (record = buffer.relaxedPoll()) != null) {
            add(record);
            drained++;
        }
        if (drained > 0) {
            owner.drained();
        }
        return drained > 0;
    }

    private void add(PendingRecord record) {
        if (!EnvelopeType.isValid(record.type())) {
            fail("invalid_type", "type must match [a-z][a-z0-9_]{0,63}");
            return;
        }
        byte[] json;
        try {
            json = encoder.encode(new Envelope<>(ids.next(record.epochMillis()), record.type(), record.epochMillis(),
                    node, record.payload()));
        } catch (IllegalArgumentException e) {
            fail("encode_error", e.getMessage());
            return;
        }
        int limit = settings.sizeLimitBytes();
        if (json.length > limit) {
            fail("too_large", record.type() + " record of " + json.length + " bytes exceeds sqs_size_limit_bytes=" + limit);
            return;
        }
        int budget = settings.packBytes();
        if (budget == 0 || json.length + 2 > budget) {
            // One record per message: the seed's form; also the home of a record too big to pack.
            addMessage(new OutgoingMessage(new String(json, StandardCharsets.ISO_8859_1), 1, json.length));
            return;
        }
        if (packRecords > 0 && packLength + 1 + json.length + 1 > budget) {
            sealPack();
        }
        if (pack.length < budget) {
            pack = Arrays.copyOf(pack, budget);
        }
        pack[packLength++] = (byte) (packRecords == 0 ? '[' : ',');
        System.arraycopy(json, 0, pack, packLength, json.length);
        packLength += json.length;
        packRecords++;
    }

    private void fail(String reason, String detail) {
        metrics.failed(reason, 1);
        failureLog.warn("failed:" + reason, "dropped a record that can never be sent: {} ({})", reason, detail);
    }

    private void sealPack() {
        if (packRecords == 0) {
            return;
        }
        pack[packLength++] = ']';
        // The encoder writes ASCII only, so ISO-8859-1 is an exact and the cheapest decoding.
        addMessage(new OutgoingMessage(new String(pack, 0, packLength, StandardCharsets.ISO_8859_1), packRecords, packLength));
        packLength = 0;
        packRecords = 0;
    }

    private void addMessage(OutgoingMessage message) {
        if (!batch.isEmpty() && batchBytes + message.bytes() > settings.sizeLimitBytes()) {
            sealBatch();
        }
        batch.add(message);
        batchBytes += message.bytes();
        if (batch.size() >= settings.batchSize()) {
            sealBatch();
        }
    }

    private void sealBatch() {
        if (batch.isEmpty()) {
            return;
        }
        ready.add(new OutgoingBatch(List.copyOf(batch), 1));
        batch.clear();
        batchBytes = 0;
    }

    /** After the thread has stopped: the records it still held, for close() to count. */
    long abandonRemaining() {
        long records = packRecords;
        for (OutgoingMessage message : batch) {
            records += message.records();
        }
        for (OutgoingBatch waiting : ready) {
            records += waiting.records();
        }
        records += buffer.drain(r -> { });
        packRecords = 0;
        packLength = 0;
        batch.clear();
        ready.clear();
        return records;
    }
}
