package io.trinitybeast.usagelog.producer;

/**
 * What {@link UsageLogProducer#close(java.time.Duration)} achieved.
 *
 * @param stats    the final counters; records still unsent at the deadline are in
 *                 {@code failed} under {@code close_deadline}
 * @param unsent   records accepted before close that could not be confirmed sent by the deadline
 * @param timedOut whether the deadline passed before everything was settled
 */
public record CloseReport(ProducerStats stats, long unsent, boolean timedOut) {

    /** True when everything accepted was confirmed by SQS or counted as failed for a stated reason. */
    public boolean clean() {
        return unsent == 0 && stats.pending() == 0;
    }
}
