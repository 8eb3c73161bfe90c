-- Events held by the store (one row per event_ids row that is not a hole). The JSON is in event_json so that walks
-- and id lookups read narrow rows.
CREATE SEQUENCE event_stream_ordering_seq;

CREATE TABLE events (
    -- event_ids.event_nid. The hot DAG tables carry no foreign keys: each costs a trigger and an index probe per row
    -- on the write path (measured: it halved batch throughput), and DagStore is their only writer.
    event_nid          bigint   PRIMARY KEY,
    room_nid           bigint   NOT NULL,
    -- event_types.type_nid
    type_nid           integer  NOT NULL,
    -- state_slots.slot_nid of a state event's (type, state_key); NULL for a message event.
    slot_nid           bigint   NULL,
    sender             text     NOT NULL,
    depth              bigint   NOT NULL,
    origin_server_ts   bigint   NOT NULL,
    -- Order in which this server persisted the event (all events, including outliers and backfilled ones). Allocated
    -- under the room's write lock, so within one room it follows commit order.
    stream_ordering    bigint   NOT NULL DEFAULT nextval('event_stream_ordering_seq') UNIQUE,
    -- 0 accepted, 1 soft-failed, 2 rejected.
    status             smallint NOT NULL CHECK (status BETWEEN 0 AND 2),
    rejection_reason   text     NULL,
    -- Held without knowing the state before it (fetched for a state snapshot or an auth chain).
    outlier            boolean  NOT NULL,
    -- Arrived through backfill: never a forward extremity.
    backfilled         boolean  NOT NULL,
    -- content.membership of an m.room.member event, else NULL.
    membership         text     NULL,
    -- State before and after the event; NULL exactly for outliers. After = before unless an accepted or soft-failed
    -- state event changed its slot.
    state_before_group bigint   NULL,
    state_after_group  bigint   NULL,
    CHECK ((status = 2) = (rejection_reason IS NOT NULL)),
    CHECK (outlier = (state_before_group IS NULL) AND outlier = (state_after_group IS NULL))
);

CREATE INDEX events_room_stream_ordering ON events (room_nid, stream_ordering);
