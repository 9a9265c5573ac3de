/**
 * The envelope: the contract between the producer and the queued writer, with no AWS dependency.
 *
 * <p>An SQS message body carries either one {@link io.trinitybeast.usagelog.envelope.Envelope}
 * (the seed's JSON object plus a time-ordered event {@code id}) or a JSON array of them (packed).
 * {@link io.trinitybeast.usagelog.envelope.EnvelopeEncoder} is the fast, allocation-light writer
 * the producer's flusher runs for every record; {@link io.trinitybeast.usagelog.envelope.EnvelopeDecoder}
 * is the strict reader the writer uses, which fails a malformed record alone and says why.
 * Payload types plug in through {@link io.trinitybeast.usagelog.envelope.PayloadCodec};
 * {@link io.trinitybeast.usagelog.envelope.UsageLog} is the one the pipeline exists for.
 * The format itself is written down in {@code docs/wire-format.md}.
 */
package io.trinitybeast.usagelog.envelope;
