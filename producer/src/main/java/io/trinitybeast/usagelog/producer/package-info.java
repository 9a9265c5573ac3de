/**
 * The fire-and-forget producer the price server embeds.
 *
 * <p>{@link io.trinitybeast.usagelog.producer.UsageLogProducer#send} costs a bounded, lock-free
 * enqueue on the request thread and never blocks, throws or does I/O; when the bounded buffer
 * ({@code sqs_buffer_size}) is full the record is dropped and counted. One flusher thread gives
 * each record its UUIDv7 event id, packs records into messages up to {@code sqs_pack_bytes} and
 * messages into SendMessageBatch calls of {@code sqs_batch_size}, with {@code sqs_max_in_flight}
 * calls outstanding; per-entry failures are retried with jittered backoff under the same ids or
 * counted by reason. Parameters come from a {@link io.trinitybeast.usagelog.producer.ParameterSource}
 * and take effect at the next tick. Every outcome is a Micrometer meter under
 * {@code usagelog.producer.*}.
 */
package io.trinitybeast.usagelog.producer;
