-- Holes: events referenced as prev_events by non-outlier events that the store does not hold as non-outliers (Synapse's
-- backward extremities), with the history of fetching them. A row disappears when the event is persisted.
CREATE TABLE missing_events (
    event_nid       bigint   PRIMARY KEY REFERENCES event_ids,
    room_nid        bigint   NOT NULL REFERENCES rooms,
    discovered_ts   bigint   NOT NULL,
    attempts        integer  NOT NULL DEFAULT 0,
    last_attempt_ts bigint   NULL,
    -- Not to be fetched again before this instant (NULL: whenever).
    next_attempt_ts bigint   NULL,
    last_error      text     NULL,
    -- Servers asked so far, in the order asked (a server asked twice appears once).
    asked_servers   text[]   NOT NULL DEFAULT '{}',
    -- Set when fetching was abandoned; the hole stays recorded.
    given_up_ts     bigint   NULL
);

CREATE INDEX missing_events_room ON missing_events (room_nid, next_attempt_ts);
