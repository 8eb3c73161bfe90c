-- MSC4500 fingerprints of state groups: the LtHash16 lattice (1024 little-endian u16 lanes), its BLAKE2b-256 digest and
-- the number of entries in the group's state. Written by DagStore in the same transaction as the group, derived from the
-- parent's lattice (one subtraction and one addition per changed slot). Groups written before this table existed have
-- no row: their fingerprint is computed from the full state the first time it is needed and stored then (see
-- docs/resync.md). No foreign key, as for state_groups (DagStore is the only writer).
CREATE TABLE state_group_digests (
    state_group_nid bigint PRIMARY KEY,
    lattice         bytea  NOT NULL CHECK (octet_length(lattice) = 2048),
    digest          bytea  NOT NULL CHECK (octet_length(digest) = 32),
    element_count   bigint NOT NULL CHECK (element_count >= 0)
);
