-- Integer ids (event_nid) of every event id the store has seen in a room: events it holds and events only referenced
-- as prev_events or auth_events (holes). Ids are per room: an id named in the wrong room gets its own nid there and
-- stays a hole, so a remote cannot splice another room's event into this one.
CREATE TABLE event_ids (
    event_nid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- rooms.room_nid (no foreign key: one check per referenced id on the write path).
    room_nid  bigint NOT NULL,
    event_id  text   NOT NULL,
    UNIQUE (event_id, room_nid)
);
