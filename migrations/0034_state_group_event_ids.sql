-- The event ids of a big state group row (2,048 entries or more: a /send_join state, the level deltas and snapshots of
-- a big room), parallel to event_nids, each as its UTF-8 length in two bytes (little-endian) and its UTF-8 bytes; an
-- emptied slot has length 0. A cold read of a 100k-member state then gets its ids with the row, one sequential read,
-- instead of 100k index probes on event_ids. NULL on smaller rows, whose ids go through the id cache.
-- EXTERNAL: out of line, uncompressed; random hashes do not compress, and reading should not pay for trying.
ALTER TABLE state_groups ADD COLUMN event_ids bytea;
ALTER TABLE state_groups ALTER COLUMN event_ids SET STORAGE EXTERNAL;
