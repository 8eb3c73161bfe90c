-- The DAG: prev_events and auth_events of every held event (outliers included), queryable in both directions. The
-- referenced side may be a hole (an event_ids row without an events row). No foreign keys, as for events.
CREATE TABLE event_prev_edges (
    event_nid      bigint NOT NULL,
    prev_event_nid bigint NOT NULL,
    PRIMARY KEY (event_nid, prev_event_nid)
);

CREATE INDEX event_prev_edges_prev ON event_prev_edges (prev_event_nid);

CREATE TABLE event_auth_edges (
    event_nid      bigint NOT NULL,
    auth_event_nid bigint NOT NULL,
    PRIMARY KEY (event_nid, auth_event_nid)
);

CREATE INDEX event_auth_edges_auth ON event_auth_edges (auth_event_nid);
