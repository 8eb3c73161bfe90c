-- Forward extremities: accepted, non-outlier, non-backfilled events with no accepted non-outlier child. Maintained in
-- the transaction that persists events.
CREATE TABLE forward_extremities (
    room_nid  bigint NOT NULL REFERENCES rooms,
    event_nid bigint NOT NULL REFERENCES events,
    PRIMARY KEY (room_nid, event_nid)
);
