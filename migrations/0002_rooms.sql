-- Rooms held by the DAG store. Every other DAG table refers to a room by room_nid, never by the room id text.
CREATE TABLE rooms (
    room_nid         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id          text   NOT NULL UNIQUE,
    -- The room version identifier from the create event ('1' … '12'); it decides how stored JSON is read.
    room_version     text   NOT NULL,
    -- The room's m.room.create event, set in the transaction that persists it (event_ids.event_nid; no foreign key
    -- because event_ids refers to rooms).
    create_event_nid bigint NULL
);
