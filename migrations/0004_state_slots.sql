-- Interned event types and (type, state_key) pairs, so events and state groups hold small integers instead of text.
-- Rows are never deleted or changed; an interned value left behind by a rolled-back write is harmless.
CREATE TABLE event_types (
    type_nid   integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_type text    NOT NULL UNIQUE
);

CREATE TABLE state_slots (
    slot_nid  bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type_nid  integer NOT NULL REFERENCES event_types,
    state_key text    NOT NULL,
    UNIQUE (type_nid, state_key)
);
