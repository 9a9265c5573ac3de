-- The usage-log store: one row per usage-log record, per-key monthly counters, and records the
-- writer could not accept. All times are UTC.

-- usage_logs is partitioned by day of occurred_at, so that billions of rows stay fast to insert
-- and retention is DROP TABLE of a day, not DELETE. The primary key carries the partition key, as
-- PostgreSQL requires; a record's id and timestamp travel together in one body, so a duplicate
-- delivery always collides on (event_id, occurred_at).
CREATE TABLE usage_logs (
    event_id         uuid        NOT NULL,
    occurred_at      timestamptz NOT NULL,
    api_key_id       text        NOT NULL,
    asset            text        NOT NULL,
    source           text        NOT NULL,
    response_time_us bigint      NOT NULL CHECK (response_time_us >= 0),
    cache_tier       text        NOT NULL,
    node             text        NOT NULL,
    stored_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, occurred_at)
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE usage_logs IS 'One row per usage-log record; daily partitions usage_logs_pYYYYMMDD (UTC).';

-- Creates the partition holding the given UTC day if it does not exist; safe to call concurrently.
CREATE FUNCTION usagelog_ensure_partition(day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    partition_name text := format('usage_logs_p%s', to_char(day, 'YYYYMMDD'));
BEGIN
    IF to_regclass(partition_name) IS NULL THEN
        BEGIN
            EXECUTE format('CREATE TABLE %I PARTITION OF usage_logs FOR VALUES FROM (%L) TO (%L)',
                           partition_name,
                           (day::timestamp AT TIME ZONE 'UTC'),
                           ((day + 1)::timestamp AT TIME ZONE 'UTC'));
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL; -- another writer created it first
        END;
    END IF;
    RETURN partition_name;
END
$$;

-- Drops the daily partitions wholly before the given UTC day; returns how many. Retention.
CREATE FUNCTION usagelog_drop_partitions_before(cutoff date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    dropped integer := 0;
    partition record;
BEGIN
    FOR partition IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'usage_logs'::regclass
          AND c.relname ~ '^usage_logs_p[0-9]{8}$'
          AND to_date(substr(c.relname, 13), 'YYYYMMDD') < cutoff
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', partition.relname);
        dropped := dropped + 1;
    END LOOP;
    RETURN dropped;
END
$$;

-- Partitions around the day the schema is installed; writers create further days as they see them.
SELECT usagelog_ensure_partition(d::date)
FROM generate_series(current_date - 1, current_date + 7, interval '1 day') AS d;

-- Requests per API key per UTC month. Moved only by records newly stored in usage_logs, in the same
-- transaction, so re-delivering any batch leaves it unchanged.
CREATE TABLE current_usage (
    api_key_id    text        NOT NULL,
    period_start  date        NOT NULL CHECK (period_start = date_trunc('month', period_start)::date),
    request_count bigint      NOT NULL CHECK (request_count >= 0),
    last_seen_at  timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, period_start)
);

COMMENT ON TABLE current_usage IS 'Requests per API key and UTC month (period_start = first day of the month).';

-- Records that arrived inside an otherwise good packed message but break the wire format or their
-- type's rules. Parked here, with the reason, instead of holding the good records of the message
-- hostage or vanishing; record_digest makes re-delivery park a record once.
CREATE TABLE rejected_records (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_digest bytea       NOT NULL UNIQUE,
    message_id    text        NOT NULL,
    record_index  integer     NOT NULL,
    event_id      text,
    type          text,
    reason        text        NOT NULL,
    record        text        NOT NULL,
    rejected_at   timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE rejected_records IS 'Records the writer refused, with the reason; the rest of their message was stored.';
