-- API keys of the price server. The secret a client sends in X-API-Key is never stored: only its
-- SHA-256 (keys are long random tokens, so a fast hash is the right one). api_key_id is the public
-- name that usage logs and counters carry.
CREATE TABLE api_keys (
    api_key_id text        PRIMARY KEY CHECK (api_key_id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    key_sha256 bytea       NOT NULL UNIQUE CHECK (octet_length(key_sha256) = 32),
    owner      text        NOT NULL,
    active     boolean     NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK (active OR revoked_at IS NOT NULL)
);

COMMENT ON TABLE api_keys IS 'Price-server API keys: public id and the SHA-256 of the secret; never the secret itself.';
