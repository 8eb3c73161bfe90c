-- The UNIQUE constraint on events.stream_ordering has no reader: every read in stream order is per room and goes
-- through events_room_stream_ordering (room_nid, stream_ordering). The values come from event_stream_ordering_seq, so
-- they are unique without it. It cost one index insert per event (and one per de-outliered event).
ALTER TABLE events DROP CONSTRAINT events_stream_ordering_key;
