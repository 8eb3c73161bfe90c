-- Auth edges move onto the event row. Every reader takes an event's auth events whole (the auth graph's refresh,
-- Dag/Auth/RoomAuthGraph.cs) and none looks them up by target since 0032, so a row and a primary-key insert per edge
-- (three or four per event) bought nothing: they were about a fifth of the database's work per persisted message.
-- The array keeps the event's auth_events order, each target once.
ALTER TABLE events ADD COLUMN auth_event_nids bigint[] NOT NULL DEFAULT '{}';

UPDATE events e
SET auth_event_nids = a.nids
FROM (SELECT event_nid, array_agg(auth_event_nid ORDER BY auth_event_nid) AS nids FROM event_auth_edges GROUP BY event_nid) a
WHERE a.event_nid = e.event_nid;

ALTER TABLE events ALTER COLUMN auth_event_nids DROP DEFAULT;

DROP TABLE event_auth_edges;
