/**
 * The usage-log store's schema as Flyway migrations: {@code usage_logs} partitioned by UTC day,
 * {@code current_usage} counters per API key and month, and {@code rejected_records}. Run from the
 * CLI ({@code usagelog migrate}), from tests, and before the writer is deployed; the Lambda itself
 * never migrates.
 */
package io.trinitybeast.usagelog.schema;
