-- Events created here that still have to reach a remote server, one row per (destination, event), in the order they
-- were created. The sender of each destination sends the oldest rows in /send transactions and deletes them once the
-- destination answered 200, so a restart resumes where it stopped.
CREATE TABLE outbound_pdus (
    queue_nid   bigserial PRIMARY KEY,
    destination text      NOT NULL,
    room_id     text      NOT NULL,
    event_id    text      NOT NULL,
    enqueued_ts bigint    NOT NULL,
    UNIQUE (destination, event_id)
);

CREATE INDEX outbound_pdus_destination ON outbound_pdus (destination, queue_nid);
