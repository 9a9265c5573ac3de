package io.trinitybeast.usagelog.producer;

/** What {@code send()} captures: no encoding, no id, no I/O; those happen on the flusher. */
record PendingRecord(String type, Object payload, long epochMillis) {}
