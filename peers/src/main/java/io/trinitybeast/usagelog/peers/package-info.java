/**
 * Real local peers for the AWS services the pipeline talks to: {@link io.trinitybeast.usagelog.peers.LocalSqs}
 * (embedded ElasticMQ on loopback, the production queue and DLQ provisioned as in AWS) and
 * {@link io.trinitybeast.usagelog.peers.LocalDatabase} (embedded PostgreSQL, or a given server).
 * Used by the tests, the benchmarks and the local runtime; carries ElasticMQ's Scala/Pekko stack,
 * so no deployable module depends on it.
 */
package io.trinitybeast.usagelog.peers;
