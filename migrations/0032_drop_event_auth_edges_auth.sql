-- event_auth_edges_auth (auth event -> events citing it) has no reader: the auth graph keeps children in memory
-- (Dag/Auth/RoomAuthGraph.cs) and every query on the table goes by event_nid (its primary key). It cost one index
-- insert per auth edge, three or four per event.
DROP INDEX event_auth_edges_auth;
