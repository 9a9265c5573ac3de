package io.trinitybeast.usagelog.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.EnvelopeDecoder;
import io.trinitybeast.usagelog.envelope.MalformedMessageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Reads what arrives on the queue, as the queued writer will: long polls, decodes every envelope,
 * notes duplicates by event id and end-to-end lag, deletes what it read. The demo's witness that
 * records arrived; the writer proper is its own module.
 */
final class QueueReader implements AutoCloseable {

    private final SqsAsyncClient sqs;
    private final String queueUrl;
    private final EnvelopeDecoder decoder = new EnvelopeDecoder();
    private final Set<UUID> seen = ConcurrentHashMap.newKeySet();
    final LongAdder records = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder messages = new LongAdder();
    final LongAdder rejected = new LongAdder();
    /** Milliseconds from send() to receipt. */
    private final Recorder lagMillis = new Recorder(3);
    private final Histogram lagTotal = new Histogram(3);
    private final List<Thread> pollers = new ArrayList<>();
    private volatile boolean running = true;

    QueueReader(SqsAsyncClient sqs, String queueUrl, int pollers) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        for (int i = 0; i < pollers; i++) {
            Thread thread = new Thread(this::poll, "demo-queue-reader-" + i);
            thread.setDaemon(true);
            this.pollers.add(thread);
            thread.start();
        }
    }

    /** Lag since the last call, and since the start. */
    synchronized Histogram[] lag() {
        Histogram interval = lagMillis.getIntervalHistogram();
        lagTotal.add(interval);
        return new Histogram[] {interval, lagTotal.copy()};
    }

    long uniqueRecords() {
        return seen.size();
    }

    private void poll() {
        while (running) {
            List<Message> got;
            try {
                got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1))
                        .join().messages();
            } catch (RuntimeException e) {
                if (running) {
                    System.err.println("queue reader: receive failed: " + e.getMessage());
                }
                continue;
            }
            if (got.isEmpty()) {
                continue;
            }
            long now = System.currentTimeMillis();
            for (Message message : got) {
                messages.increment();
                try {
                    EnvelopeDecoder.DecodedMessage decoded = decoder.decode(message.body());
                    rejected.add(decoded.rejected().size());
                    for (Envelope<JsonNode> envelope : decoded.envelopes()) {
                        records.increment();
                        if (!seen.add(envelope.id())) {
                            duplicates.increment();
                        }
                        lagMillis.recordValue(Math.max(0, now - envelope.timestampMillis()));
                    }
                } catch (MalformedMessageException e) {
                    rejected.increment();
                }
            }
            sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(got.stream()
                    .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                    .toList())).join();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread poller : pollers) {
            poller.join(3_000);
        }
    }
}
