-- No planner statistics for columns no query filters, joins, groups or sorts on: the events' JSON, auth event arrays,
-- senders and rejection reasons, and the state groups' arrays and digests. ANALYZE (PlannerStatistics on a young
-- database, autovacuum later) sorted and counted a 30,000-row sample of each: byte-wise sorts of ~400-byte JSON values
-- and element counts of every array. Measured with perf in the persist benchmark, those runs were about a sixth of the
-- database's CPU. Row counts and the statistics of the key columns, which the plans depend on, are still gathered.
ALTER TABLE event_json
    ALTER COLUMN json SET STATISTICS 0,
    ALTER COLUMN redacted_json SET STATISTICS 0;

ALTER TABLE events
    ALTER COLUMN auth_event_nids SET STATISTICS 0,
    ALTER COLUMN sender SET STATISTICS 0,
    ALTER COLUMN rejection_reason SET STATISTICS 0;

ALTER TABLE state_groups
    ALTER COLUMN slot_nids SET STATISTICS 0,
    ALTER COLUMN event_nids SET STATISTICS 0,
    ALTER COLUMN event_ids SET STATISTICS 0;

ALTER TABLE state_group_digests
    ALTER COLUMN lattice SET STATISTICS 0,
    ALTER COLUMN digest SET STATISTICS 0;

ALTER TABLE inbound_pdus
    ALTER COLUMN event_json SET STATISTICS 0;
