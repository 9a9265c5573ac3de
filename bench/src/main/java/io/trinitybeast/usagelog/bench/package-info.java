/**
 * Benchmarks, run with {@code ./usagelog bench ...}: the producer's hot path against the AWS SDK's
 * {@code SqsAsyncBatchManager} (latency percentiles and bytes allocated per call, 1/2/4 threads,
 * and the drop path), and records/s into the local SQS packed against one record per message.
 * Each reports ratios against a baseline measured in the same run.
 */
package io.trinitybeast.usagelog.bench;
