-- Reports of the state divergence probe (docs/resync.md, "Divergence detection"): the newest few per room, so the admin
-- tool (another process) and the admin listener show what the server found and repaired. The writer keeps at most
-- Resync:DivergenceReportsPerRoom rows per room. Keyed by room id rather than nid: a report is evidence about a room,
-- kept apart from the DAG tables and their writer.
CREATE TABLE divergence_reports (
    report_id                bigserial PRIMARY KEY,
    room_id                  text   NOT NULL,
    probed_ts                bigint NOT NULL,
    -- in_sync, peer_lagging, we_are_minority, no_majority, insufficient_answers
    class                    text   NOT NULL,
    -- The bisection's first divergent event, when there was a difference.
    first_divergent_event_id text,
    -- converged, still_minority, nothing_to_fetch, unsupported, failed; null when no repair was made.
    repair_outcome           text,
    -- The whole report, in the shape of the admin listener's divergence.json.
    report_json              jsonb  NOT NULL
);

CREATE INDEX divergence_reports_room ON divergence_reports (room_id, report_id DESC);
