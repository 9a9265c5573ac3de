/**
 * The price server: Vert.x HTTP on event loops, prices from an in-memory cache
 * ({@link io.trinitybeast.usagelog.server.PriceCache}), API keys held as SHA-256 in the database and
 * in memory ({@link io.trinitybeast.usagelog.server.ApiKeys}), one usage_log record per answered
 * request handed to the producer after the response is written. Health and Prometheus endpoints;
 * graceful stop that drains requests, then the producer.
 */
package io.trinitybeast.usagelog.server;
