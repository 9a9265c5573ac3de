/**
 * The queued writer, {@code trinity-beast-queued-writer}: a Java 21 Lambda function fed by an SQS
 * event source mapping. {@link io.trinitybeast.usagelog.writer.QueuedWriterHandler} reads each
 * batch with the envelope's strict decoder, routes records by type through
 * {@link io.trinitybeast.usagelog.writer.RecordHandlers}, stores them in one transaction with a fixed
 * number of statements ({@link io.trinitybeast.usagelog.writer.UsageLogStore}: usage_logs plus
 * current_usage counters, exactly once per event id), and answers with a partial batch response.
 * See docs/writer.md.
 */
package io.trinitybeast.usagelog.writer;
