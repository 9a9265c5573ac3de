package io.trinitybeast.usagelog.producer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * Sends batches and settles their results, off the request threads: calls start on the flusher,
 * complete on the SDK's threads, and retries wait on a scheduler.
 *
 * <p>A slot is held from a batch's first call until every one of its records is sent or given up,
 * backoff included, so at most {@code sqs_max_in_flight} batches are in the air or waiting.
 * When all slots are held the flusher stops draining, the bounded buffer fills, and new records
 * are dropped and counted: memory stays bounded while SQS is down, and the oldest accepted records
 * are the ones kept.
 */
final class BatchSender {

    private static final Logger log = LoggerFactory.getLogger(BatchSender.class);

    private final SqsAsyncClient sqs;
    private final String queueUrl;
    private final ProducerMetrics metrics;
    private final ScheduledExecutorService retryScheduler;
    private final Runnable onSlotReleased;
    private final RateLimitedLog failureLog = new RateLimitedLog(log, TimeUnit.SECONDS.toNanos(10));
    private final AtomicInteger slotsHeld = new AtomicInteger();
    private final Set<OutgoingBatch> unsettled = ConcurrentHashMap.newKeySet();
    private volatile ProducerSettings settings;
    private volatile boolean abandoned;

    BatchSender(SqsAsyncClient sqs, String queueUrl, ProducerMetrics metrics, ScheduledExecutorService retryScheduler,
            ProducerSettings settings, Runnable onSlotReleased) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.metrics = metrics;
        this.retryScheduler = retryScheduler;
        this.settings = settings;
        this.onSlotReleased = onSlotReleased;
    }

    void apply(ProducerSettings newSettings) {
        settings = newSettings;
    }

    int slotsHeld() {
        return slotsHeld.get();
    }

    /** Takes a slot for a new batch if one is free. Only the flusher takes slots, so check-then-add is safe. */
    boolean tryAcquireSlot() {
        if (slotsHeld.get() >= settings.maxInFlight()) {
            return false;
        }
        slotsHeld.incrementAndGet();
        return true;
    }

    /** Starts the first call of a batch; the caller holds a slot for it. */
    void send(OutgoingBatch batch) {
        unsettled.add(batch);
        if (abandoned) {
            return; // close() accounts for it
        }
        List<SendMessageBatchRequestEntry> entries = new ArrayList<>(batch.messages.size());
        for (int i = 0; i < batch.messages.size(); i++) {
            entries.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(i))
                    .messageBody(batch.messages.get(i).body()).build());
        }
        Duration timeout = Duration.ofMillis(settings.timeoutMs());
        SendMessageBatchRequest request = SendMessageBatchRequest.builder().queueUrl(queueUrl).entries(entries)
                .overrideConfiguration(c -> c.apiCallTimeout(timeout)).build();
        metrics.sendCalls.increment();
        metrics.messagesPerBatch.record(entries.size());
        long started = System.nanoTime();
        CompletableFuture<SendMessageBatchResponse> call;
        try {
            // The SDK's apiCallTimeout cancels the HTTP exchange; orTimeout guarantees the slot comes
            // back even from a client that never completes its future.
            call = sqs.sendMessageBatch(request).orTimeout(timeout.toMillis() + 50, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> {
            metrics.sendLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            try {
                settle(batch, response, error);
            } catch (RuntimeException e) {
                log.error("settling a SendMessageBatch result failed; its records stay pending", e);
            }
        });
    }

    private void settle(OutgoingBatch batch, SendMessageBatchResponse response, Throwable error) {
        if (!batch.settle()) {
            return; // close() gave up on it at the deadline and counted it
        }
        unsettled.remove(batch);
        List<OutgoingMessage> retry = new ArrayList<>(0);
        String retryReason = null;
        if (error != null) {
            SendFailure failure = SendFailure.of(error);
            if (failure.retryable()) {
                retry.addAll(batch.messages);
                retryReason = failure.reason();
            } else {
                giveUp(batch.messages, failure.reason(), String.valueOf(error.getMessage()));
            }
        } else {
            boolean[] settled = new boolean[batch.messages.size()];
            for (SendMessageBatchResultEntry ok : response.successful()) {
                int index = index(ok.id(), settled.length);
                if (index >= 0 && !settled[index]) {
                    settled[index] = true;
                    OutgoingMessage message = batch.messages.get(index);
                    metrics.sent.add(message.records());
                    metrics.messagesSent.increment();
                    metrics.recordsPerMessage.record(message.records());
                }
            }
            for (BatchResultErrorEntry failed : response.failed()) {
                int index = index(failed.id(), settled.length);
                if (index < 0 || settled[index]) {
                    continue;
                }
                settled[index] = true;
                OutgoingMessage message = batch.messages.get(index);
                SendFailure failure = SendFailure.of(failed);
                if (failure.retryable()) {
                    retry.add(message);
                    metrics.retried(failure.reason(), message.records());
                    failureLog.warn("retry:" + failure.reason(), "SQS refused a message for now ({}: {}), retrying it",
                            failure.reason(), failed.message());
                } else {
                    giveUp(List.of(message), failure.reason(), failed.message());
                }
            }
            for (int i = 0; i < settled.length; i++) {
                if (!settled[i]) { // SQS answered for neither outcome: treat as not sent
                    retry.add(batch.messages.get(i));
                    metrics.retried("no_result", batch.messages.get(i).records());
                }
            }
        }
        if (retry.isEmpty()) {
            releaseSlot();
            return;
        }
        if (error != null) {
            metrics.retried(retryReason, records(retry));
            failureLog.warn("retry:" + retryReason, "SendMessageBatch failed ({}), retrying {} messages: {}",
                    retryReason, retry.size(), error.toString());
        }
        scheduleRetry(new OutgoingBatch(List.copyOf(retry), batch.attempt + 1));
    }

    private void scheduleRetry(OutgoingBatch next) {
        unsettled.add(next);
        ProducerSettings s = settings;
        long ceiling = Math.min(s.retryMaxMs(), s.retryBaseMs() << Math.min(next.attempt - 1, 20));
        // "Equal jitter": at least half the backoff, so a storm of failures still spreads out.
        long delay = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        try {
            retryScheduler.schedule(() -> {
                if (!abandoned) {
                    send(next);
                }
            }, delay, TimeUnit.MILLISECONDS);
        } catch (RuntimeException rejected) {
            // Scheduler shut down: close() is past its deadline and accounts for everything unsettled.
        }
    }

    private void giveUp(List<OutgoingMessage> messages, String reason, String detail) {
        long records = records(messages);
        metrics.failed(reason, records);
        failureLog.warn("failed:" + reason, "gave up on {} records in {} messages: {} ({})", records, messages.size(),
                reason, detail);
    }

    private void releaseSlot() {
        slotsHeld.decrementAndGet();
        onSlotReleased.run();
    }

    /**
     * At the close deadline: stops retries and settles every batch still unsettled, counting its
     * records as failed with {@code close_deadline}. Returns how many records that was.
     */
    long abandon() {
        abandoned = true;
        long records = 0;
        for (OutgoingBatch batch : unsettled) {
            if (batch.settle()) {
                records += batch.records();
            }
        }
        unsettled.clear();
        return records;
    }

    private static long records(List<OutgoingMessage> messages) {
        long records = 0;
        for (OutgoingMessage message : messages) {
            records += message.records();
        }
        return records;
    }

    private static int index(String id, int size) {
        try {
            int index = Integer.parseInt(id);
            return index >= 0 && index < size ? index : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
