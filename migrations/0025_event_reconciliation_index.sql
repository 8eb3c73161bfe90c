-- Set reconciliation reads the events of a room whose origin_server_ts lies in a window (the periodic exchange looks
-- at the last hour). The record id is derived from event_ids.event_id in memory, so no new column is needed; this
-- index lets a window read touch only the window's rows instead of the whole room.
CREATE INDEX events_room_origin_ts ON events (room_nid, origin_server_ts) INCLUDE (event_nid);
