/**
 * The local runtime and the {@code usagelog} CLI: wires envelope, producer and (in later steps)
 * writer and server together on one machine against local peers (embedded ElasticMQ for SQS),
 * so {@code ./usagelog demo} runs the whole pipeline with nothing installed. Never deployed.
 */
package io.trinitybeast.usagelog.local;
