package io.trinitybeast.usagelog.producer;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One SendMessageBatch attempt. Retrying its failed entries makes a new attempt with the same
 * message bodies, hence the same event ids. Settled exactly once: by its result, or by close()
 * giving up on it at the deadline.
 */
final class OutgoingBatch {

    final List<OutgoingMessage> messages;
    final int attempt;
    private final AtomicBoolean settled = new AtomicBoolean();

    OutgoingBatch(List<OutgoingMessage> messages, int attempt) {
        this.messages = messages;
        this.attempt = attempt;
    }

    /** True for the one caller that settles this attempt. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    long records() {
        long records = 0;
        for (OutgoingMessage message : messages) {
            records += message.records();
        }
        return records;
    }
}
