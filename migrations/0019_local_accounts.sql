-- Local users and the access tokens their clients hold. Users are created through shared-secret registration; a user
-- has any number of devices, each with one token. Tokens are stored as their SHA-256 only, so a database dump gives
-- no usable credentials.
CREATE TABLE local_users (
    user_id       text    PRIMARY KEY,
    -- "pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>"
    password_hash text    NOT NULL,
    admin         boolean NOT NULL,
    created_ts    bigint  NOT NULL
);

CREATE TABLE local_access_tokens (
    token_sha256 bytea  PRIMARY KEY,
    user_id      text   NOT NULL REFERENCES local_users (user_id),
    device_id    text   NOT NULL,
    created_ts   bigint NOT NULL,
    UNIQUE (user_id, device_id)
);
