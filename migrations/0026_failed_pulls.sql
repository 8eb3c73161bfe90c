-- Events we failed to pull from another server (the state at them or the event itself could not be fetched, or a
-- pulled event could not be placed for that reason), with a back-off before they are asked for again (Synapse's
-- event_failed_pull_attempts). Keyed by id rather than nid: such an event is often unknown to every other table.
-- A row is deleted when a later pull of the event succeeds.
CREATE TABLE failed_pulls (
    room_nid        bigint  NOT NULL REFERENCES rooms,
    event_id        text    NOT NULL,
    attempts        integer NOT NULL,
    last_attempt_ts bigint  NOT NULL,
    -- Not to be asked for again before this instant.
    next_attempt_ts bigint  NOT NULL,
    last_error      text    NOT NULL,
    PRIMARY KEY (room_nid, event_id)
);
