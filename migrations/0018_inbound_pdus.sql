-- PDUs a /send admitted (format, signatures and content hash checked) and not yet processed, per room in arrival order.
-- The transaction is answered once they are here; a restart resumes from here. A row is deleted once processed.
CREATE TABLE inbound_pdus (
    id           bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id      text    NOT NULL,
    event_id     text    NOT NULL,
    origin       text    NOT NULL,
    received_ts  bigint  NOT NULL,
    -- The event as admitted (UTF-8 canonical JSON); the redacted copy when its content hash did not match.
    event_json   bytea   NOT NULL,
    redacted     boolean NOT NULL,
    -- Processing attempts that failed with an error (not a verdict on the event); the row is dropped after a few.
    attempts     integer NOT NULL DEFAULT 0,
    UNIQUE (room_id, event_id)
);

CREATE INDEX inbound_pdus_room ON inbound_pdus (room_id, id);
