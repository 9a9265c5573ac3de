-- Runtime-adjustable parameters, the 16 system profiles, and the audit of every change.
-- The price server LISTENs on channel 'application_parameters' and polls as a fallback; a change
-- reaches its producer at the next flusher tick. The database refuses what the producer would.

CREATE TABLE application_parameters (
    name        text        PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,62}$'),
    value       text        NOT NULL,
    description text        NOT NULL,
    min_value   bigint      NOT NULL,
    max_value   bigint      NOT NULL CHECK (max_value >= min_value),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text        NOT NULL DEFAULT current_user,
    CONSTRAINT application_parameters_value_in_range CHECK (
        CASE WHEN value ~ '^-?[0-9]{1,18}$' THEN value::bigint BETWEEN min_value AND max_value ELSE false END)
);

COMMENT ON TABLE application_parameters IS 'Runtime-adjustable parameters; integers within [min_value, max_value].';

-- The producer's parameters, with the seed's defaults and ranges (and those the producer added).
-- ProducerParameter in the producer module holds the same; a test keeps the two in agreement.
INSERT INTO application_parameters (name, value, description, min_value, max_value, updated_by) VALUES
    ('sqs_batch_size',       '10',      'Messages per SQS SendMessageBatch call',                                       1, 10,         'migration'),
    ('sqs_flush_ms',         '100',     'Flush interval in milliseconds',                                               1, 2147483647, 'migration'),
    ('sqs_buffer_size',      '50000',   'Buffer capacity in records before dropping',                                   1, 2147483647, 'migration'),
    ('sqs_timeout_ms',       '3000',    'Per-batch SQS API call timeout in milliseconds',                               1, 2147483647, 'migration'),
    ('sqs_max_in_flight',    '8',       'SendMessageBatch calls in flight or awaiting retry at once',                   1, 256,        'migration'),
    ('sqs_pack_bytes',       '65536',   'Byte budget for packing records into one message; 0 sends one record per message', 0, 1048576, 'migration'),
    ('sqs_size_limit_bytes', '1048576', 'SQS''s size limit for one message and for one SendMessageBatch request',       1024, 1048576, 'migration'),
    ('sqs_retry_base_ms',    '50',      'First retry backoff in milliseconds, doubled per attempt',                     1, 60000,      'migration'),
    ('sqs_retry_max_ms',     '5000',    'Longest retry backoff in milliseconds',                                        1, 600000,     'migration');

-- Who changed what, when, from which value to which, and through which profile if any.
CREATE TABLE parameter_changes (
    id         bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL REFERENCES application_parameters (name),
    old_value  text,
    new_value  text        NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    changed_by text        NOT NULL,
    profile    text
);

CREATE FUNCTION application_parameters_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.value IS NOT DISTINCT FROM OLD.value THEN
        RETURN NULL;
    END IF;
    INSERT INTO parameter_changes (name, old_value, new_value, changed_by, profile)
    VALUES (NEW.name, CASE WHEN TG_OP = 'UPDATE' THEN OLD.value END, NEW.value, NEW.updated_by,
            nullif(current_setting('usagelog.profile', true), ''));
    PERFORM pg_notify('application_parameters', NEW.name);
    RETURN NULL;
END
$$;

CREATE FUNCTION application_parameters_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER application_parameters_touch BEFORE UPDATE ON application_parameters
    FOR EACH ROW EXECUTE FUNCTION application_parameters_touch();
CREATE TRIGGER application_parameters_changed AFTER INSERT OR UPDATE ON application_parameters
    FOR EACH ROW EXECUTE FUNCTION application_parameters_changed();

-- The 16 system profiles, in the seed's three categories.
CREATE TABLE system_profiles (
    name              text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
    category          text NOT NULL CHECK (category IN ('demo_debug', 'production', 'stress')),
    intended_workload text NOT NULL
);

CREATE TABLE system_profile_values (
    profile text NOT NULL REFERENCES system_profiles (name) ON DELETE CASCADE,
    name    text NOT NULL REFERENCES application_parameters (name),
    value   text NOT NULL CHECK (value ~ '^-?[0-9]{1,18}$'),
    PRIMARY KEY (profile, name)
);

INSERT INTO system_profiles (name, category, intended_workload) VALUES
    ('demo',                    'demo_debug', 'The local demo: relaxed, easy to watch records move'),
    ('debug',                   'demo_debug', 'Debugging the pipeline: one record per message, readable in the queue'),
    ('local-dev',               'demo_debug', 'A developer''s machine against a local SQS'),
    ('walkthrough',             'demo_debug', 'Presentations: slow, visible batches'),
    ('production',              'production', 'Standard production traffic: balanced throughput and cost'),
    ('production-low-traffic',  'production', 'Quiet regions and hours: fewer in-flight calls'),
    ('production-high-traffic', 'production', 'Peak hours: more in-flight calls'),
    ('production-canary',       'production', 'A canary node: production settings, short timeouts to surface trouble'),
    ('production-cost-saver',   'production', 'Production with the largest packs: fewest billed requests'),
    ('production-failover',     'production', 'A region taking over another''s traffic: patient retries'),
    ('stress',                  'stress',     'Load testing: maximum throughput'),
    ('stress-burst',            'stress',     'Short bursts far above the sustained rate'),
    ('stress-sustained',        'stress',     'Hours at the sustained maximum'),
    ('stress-746k',             'stress',     'The Run 17 shape: 746K requests/s for 30 minutes'),
    ('stress-soak',             'stress',     'Long soak at a high steady rate'),
    ('stress-chaos',            'stress',     'Fault injection: SQS throttled or down, patient retries');

-- Every profile sets every parameter. Category sets flush and buffer as the seed's table says;
-- the rest follows the workload.
INSERT INTO system_profile_values (profile, name, value)
SELECT p.name, v.name, v.value
FROM system_profiles p
CROSS JOIN LATERAL (VALUES
    ('sqs_batch_size',       CASE WHEN p.name = 'debug' THEN '1' ELSE '10' END),
    ('sqs_flush_ms',         CASE p.category WHEN 'demo_debug' THEN '500' WHEN 'production' THEN '100' ELSE '50' END),
    ('sqs_buffer_size',      CASE p.category WHEN 'demo_debug' THEN '10000' WHEN 'production' THEN '50000' ELSE '100000' END),
    ('sqs_timeout_ms',       CASE WHEN p.name = 'production-canary' THEN '1000'
                                  WHEN p.name IN ('production-failover', 'stress-chaos') THEN '10000' ELSE '3000' END),
    ('sqs_max_in_flight',    CASE WHEN p.category = 'demo_debug' OR p.name = 'production-low-traffic' THEN '2'
                                  WHEN p.category = 'stress' OR p.name = 'production-high-traffic' THEN '32' ELSE '8' END),
    ('sqs_pack_bytes',       CASE WHEN p.name = 'debug' THEN '0'
                                  WHEN p.name = 'production-cost-saver' THEN '262144' ELSE '65536' END),
    ('sqs_size_limit_bytes', '1048576'),
    ('sqs_retry_base_ms',    CASE WHEN p.name IN ('production-failover', 'stress-chaos') THEN '200' ELSE '50' END),
    ('sqs_retry_max_ms',     CASE WHEN p.name IN ('production-failover', 'stress-chaos') THEN '30000' ELSE '5000' END)
) AS v(name, value);

-- Applies a profile in one transaction (the caller's), audited as done by `actor` through it.
-- Returns how many parameters changed value.
CREATE FUNCTION usagelog_apply_profile(profile_name text, actor text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    changed integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM system_profiles WHERE name = profile_name) THEN
        RAISE EXCEPTION 'no profile named %', profile_name USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM set_config('usagelog.profile', profile_name, true);
    UPDATE application_parameters a
       SET value = v.value, updated_by = actor
      FROM system_profile_values v
     WHERE v.profile = profile_name AND v.name = a.name AND a.value IS DISTINCT FROM v.value;
    GET DIAGNOSTICS changed = ROW_COUNT;
    PERFORM set_config('usagelog.profile', '', true);
    RETURN changed;
END
$$;
