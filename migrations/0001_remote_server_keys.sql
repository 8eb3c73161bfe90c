-- Signing keys of other homeservers, fetched from /_matrix/key/v2/server or a notary, so signed events and
-- requests can be verified without asking the origin every time.
CREATE TABLE remote_server_keys (
    server_name    text   NOT NULL,
    -- e.g. 'ed25519:abc123'
    key_id         text   NOT NULL,
    -- Raw 32-byte public key (decoded from unpadded base64).
    verify_key     bytea  NOT NULL,
    -- Milliseconds since the Unix epoch (Matrix's unit) until which the key may be used without refetching.
    valid_until_ts bigint NOT NULL,
    -- Set when the server lists the key under old_verify_keys: signatures made before this instant stay valid.
    expired_ts     bigint NULL,
    -- When we fetched this key, for choosing what to refresh first.
    fetched_at_ts  bigint NOT NULL,
    PRIMARY KEY (server_name, key_id)
);
