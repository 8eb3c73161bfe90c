-- The inbound queue's room and event ids compare as bytes, as event_ids.event_id does since 0036: both of its room
-- indexes compare the room id (the same long string on every row of a room) on each step down the tree, and under a
-- libc collation each comparison went through strcoll. The heap is not rewritten; the indexes are rebuilt.
ALTER TABLE inbound_pdus
    ALTER COLUMN room_id TYPE text COLLATE "C",
    ALTER COLUMN event_id TYPE text COLLATE "C";
