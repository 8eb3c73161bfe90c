-- The event as canonical JSON (UTF-8 bytes, exactly as signed) and, when its content hash did not match, the redacted
-- form that is served and used instead.
CREATE TABLE event_json (
    event_nid     bigint PRIMARY KEY,
    json          bytea  NOT NULL,
    redacted_json bytea  NULL
);
