-- State snapshots. A group is either a full snapshot (prev_state_group_nid NULL) or a delta on an earlier group of the
-- same room. Deltas are chosen by height (see docs/storage.md) so that reading a group never follows more than a
-- bounded number of rows and no group copies a big room's whole state except the rare full snapshots.
CREATE TABLE state_groups (
    state_group_nid      bigint   PRIMARY KEY,
    room_nid             bigint   NOT NULL,
    -- No foreign key (written only by DagStore, in the same statement as its base when both are new).
    prev_state_group_nid bigint   NULL,
    -- Number of groups between this one and the first group of its lineage; fixes where its delta is based.
    height               integer  NOT NULL CHECK (height >= 0),
    -- Parallel arrays: slot_nids[i] (state_slots) now holds event_nids[i] (event_ids); event nid 0 removes the slot.
    slot_nids            bigint[] NOT NULL,
    event_nids           bigint[] NOT NULL,
    CHECK (cardinality(slot_nids) = cardinality(event_nids))
);

CREATE SEQUENCE state_group_nid_seq OWNED BY state_groups.state_group_nid;
