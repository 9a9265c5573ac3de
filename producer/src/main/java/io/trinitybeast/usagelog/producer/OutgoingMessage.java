package io.trinitybeast.usagelog.producer;

/** One SQS message body, ready to send: {@code records} envelopes in {@code bytes} bytes (ASCII). */
record OutgoingMessage(String body, int records, int bytes) {}
