-- Event ids compare as bytes. Under a database's libc collation every comparison of the unique index on
-- (event_id, room_nid) went through strcoll, even under C.UTF-8 (Postgres only takes its byte-compare path for "C"
-- and "POSIX"): an index probe cost 4.3 µs instead of 2.5 µs on C.UTF-8, more under locales such as en_US. Ids are
-- opaque (hashes, or origin-chosen strings in versions 1 and 2), so byte order is also the only meaningful order.
-- The heap is not rewritten; the index is rebuilt.
ALTER TABLE event_ids ALTER COLUMN event_id TYPE text COLLATE "C";
