package io.trinitybeast.usagelog.producer;

import java.util.Map;

/**
 * A snapshot of the producer's counters, in records. At any moment
 * {@code offered = enqueued + dropped} and {@code enqueued = sent + failed + pending}: a record
 * is never unaccounted for.
 *
 * @param enqueued        accepted by {@code send()}
 * @param droppedBufferFull refused because the buffer was full
 * @param droppedClosed   refused because the producer was closed
 * @param droppedInvalid  refused because the type or payload was null
 * @param sent            confirmed by SQS
 * @param failed          given up, by reason (SQS error code, {@code too_large}, {@code close_deadline}, ...)
 * @param retried         re-sent after a retryable failure, by reason; a record may count more than once
 * @param pending         accepted and not yet settled: buffered, being packed, in flight or awaiting retry
 * @param messagesSent    SQS messages confirmed
 * @param batchCalls      SendMessageBatch calls made, retries included
 */
public record ProducerStats(long enqueued, long droppedBufferFull, long droppedClosed, long droppedInvalid, long sent,
        Map<String, Long> failed, Map<String, Long> retried, long pending, long messagesSent, long batchCalls) {

    public long dropped() {
        return droppedBufferFull + droppedClosed + droppedInvalid;
    }

    public long offered() {
        return enqueued + dropped();
    }

    public long failedTotal() {
        return failed.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when every accepted record is sent, failed-and-counted or still pending. */
    public boolean balanced() {
        return enqueued == sent + failedTotal() + pending;
    }
}
