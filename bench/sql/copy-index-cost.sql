-- What a per-record unique index costs PostgreSQL on ingest, with no client in the way: the same
-- 400,000 rows (usage_logs' columns, time-ordered UUIDv7-like ids) are written once to a file and
-- COPYed server-side into tables that differ only in their keys and indexes. Run against the
-- machine's server (fsync on):
--   psql -h 127.0.0.1 -U postgres -f bench/sql/copy-index-cost.sql
-- Each table is loaded twice; the second load (after TRUNCATE and CHECKPOINT) is the one to read.
\timing on
\set ON_ERROR_STOP on
DROP DATABASE IF EXISTS usagelog_copy_cost;
CREATE DATABASE usagelog_copy_cost;
\c usagelog_copy_cost
CREATE TABLE src AS
SELECT (lpad(to_hex((extract(epoch FROM now()) * 1000)::bigint + i / 100), 12, '0') || '7' || substr(md5(i::text), 1, 3)
        || '8' || substr(md5(i::text), 4, 15))::uuid AS event_id,
       now() - (i % 3600) * interval '1 second' AS occurred_at,
       'ak_live_' || (i % 1000) AS api_key_id, 'BTC'::text AS asset, 'binance'::text AS source,
       (i % 500)::bigint AS response_time_us, 'L1_MEMORY'::text AS cache_tier, 'bench-node'::text AS node
FROM generate_series(1, 400000) AS i;
COPY src TO '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
CREATE TABLE no_key (LIKE src);
CREATE TABLE pk_event_id (LIKE src, PRIMARY KEY (event_id));
CREATE TABLE pk_event_id_occurred_at (LIKE src, PRIMARY KEY (event_id, occurred_at));
CREATE TABLE partitioned_no_key (LIKE src) PARTITION BY RANGE (occurred_at);
CREATE TABLE partitioned_no_key_p PARTITION OF partitioned_no_key FOR VALUES FROM (now() - interval '2 days') TO (now() + interval '2 days');
CREATE TABLE partitioned_pk (LIKE src, PRIMARY KEY (event_id, occurred_at)) PARTITION BY RANGE (occurred_at);
CREATE TABLE partitioned_pk_p PARTITION OF partitioned_pk FOR VALUES FROM (now() - interval '2 days') TO (now() + interval '2 days');
CREATE TABLE hash_index (LIKE src);
CREATE INDEX ON hash_index USING hash (event_id);
CREATE TABLE brin_index (LIKE src);
CREATE INDEX ON brin_index USING brin (event_id);
\echo first load (warm-up)
COPY no_key FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY pk_event_id FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY pk_event_id_occurred_at FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY partitioned_no_key FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY partitioned_pk FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY hash_index FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY brin_index FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
TRUNCATE no_key, pk_event_id, pk_event_id_occurred_at, partitioned_no_key, partitioned_pk, hash_index, brin_index;
CHECKPOINT;
\echo second load: no_key, pk_event_id, pk_event_id_occurred_at, partitioned_no_key, partitioned_pk (= usage_logs), hash_index, brin_index
COPY no_key FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY pk_event_id FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY pk_event_id_occurred_at FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY partitioned_no_key FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY partitioned_pk FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY hash_index FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
COPY brin_index FROM '/tmp/usagelog_copy_cost.bin' (FORMAT binary);
\c postgres
DROP DATABASE usagelog_copy_cost;
