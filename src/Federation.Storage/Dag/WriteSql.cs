namespace Federation.Storage.Dag;

/// <summary>The statements of <see cref="DagStore.PersistEventsAsync"/> (parameters are listed in <see cref="WriteCommands"/>).</summary>
internal static class WriteSql
{
    public const string Begin = "BEGIN";

    public const string Commit = "COMMIT";

    public const string LockRoom = "SELECT pg_advisory_xact_lock($1, $2)";

    // Numbers every id the batch mentions (its events, their prev and auth events, events its states name) in the room,
    // creating event_ids rows for ids never seen (holes), and reports what is held of each. Each id is looked up, with
    // its event, by its own index probes (LATERAL … LIMIT 1): as joins, the prepared statement's generic plan hashed a
    // sequential scan of event_ids or events whenever it was made while the table was small, so a write cost grew
    // with the database.
    public const string ResolveIds =
        """
        WITH wanted AS (SELECT DISTINCT w AS event_id FROM unnest($2::text[]) AS w),
        existing AS (
            SELECT w.event_id, x.*
            FROM wanted w
            CROSS JOIN LATERAL (
                SELECT i.event_nid, e.event_nid IS NOT NULL AS held, e.outlier, e.status, e.state_before_group, e.state_after_group
                FROM event_ids i LEFT JOIN events e ON e.event_nid = i.event_nid
                WHERE i.event_id = w.event_id AND i.room_nid = $1
                LIMIT 1) x
        ),
        inserted AS (
            INSERT INTO event_ids (room_nid, event_id)
            SELECT $1, w.event_id FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM existing x WHERE x.event_id = w.event_id)
            ORDER BY w.event_id
            RETURNING event_nid, event_id
        )
        SELECT event_id, event_nid, held, outlier, status, state_before_group, state_after_group, true FROM existing
        UNION ALL
        SELECT event_id, event_nid, false, NULL, NULL, NULL, NULL, false FROM inserted
        """;

    public const string AllocateGroups = "SELECT nextval('state_group_nid_seq') FROM generate_series(1, $1)";

    /// <summary>
    /// What every batch writes, as one statement of data-modifying CTEs (parsed, planned and executed once instead of
    /// ten statements): state groups (jagged arrays passed flat with offsets), events in batch order (their stream
    /// orderings follow it) with their auth events (passed flat with each event's count), JSON, prev edges, holes
    /// found, extremities removed and added. The parts cannot see each
    /// other's rows, so the caller works out holes and the in-batch children of extremity candidates itself; the
    /// candidates added here are ids this write numbered, which no stored event can name yet (candidates known before
    /// go through <see cref="InsertExtremities"/>). Rare work (<see cref="DeOutlier"/>, <see cref="DeleteFilledHoles"/>)
    /// is in separate statements, sent only when needed.
    /// <para>
    /// Prepared (when sent alone): every part is an insert from arrays or a delete by primary key, so its generic plan
    /// cannot go wrong as tables grow. It was not prepared while it checked candidates' children in the database: the
    /// generic plan, made while the tables were small, hashed the edge and event tables on every later write.
    /// </para>
    /// </summary>
    public const string WriteAll =
        """
        WITH
        groups AS (
            INSERT INTO state_groups (state_group_nid, room_nid, prev_state_group_nid, height, slot_nids, event_nids)
            SELECT g, $1, p, h, ($7::bigint[])[o + 1:o + l], ($8::bigint[])[o + 1:o + l]
            FROM unnest($2::bigint[], $3::bigint[], $4::integer[], $5::integer[], $6::integer[]) AS u(g, p, h, o, l)
        ),
        new_events AS (
            INSERT INTO events (event_nid, room_nid, type_nid, slot_nid, sender, depth, origin_server_ts, status,
                                rejection_reason, outlier, backfilled, membership, state_before_group, state_after_group,
                                auth_event_nids)
            SELECT n, $1, t, s, se, d, ts, st, rr, o, b, m, bg, ag, ($26::bigint[])[ae - al + 1:ae]
            FROM (SELECT *, (sum(al) OVER (ORDER BY ord))::integer AS ae
                  FROM unnest($9::bigint[], $10::integer[], $11::bigint[], $12::text[], $13::bigint[], $14::bigint[],
                              $15::smallint[], $16::text[], $17::boolean[], $18::boolean[], $19::text[], $20::bigint[],
                              $21::bigint[], $27::integer[])
                       WITH ORDINALITY AS u(n, t, s, se, d, ts, st, rr, o, b, m, bg, ag, al, ord)) AS u
            ORDER BY ord
        ),
        json AS (
            INSERT INTO event_json (event_nid, json, redacted_json) SELECT * FROM unnest($9::bigint[], $22::bytea[], $23::bytea[])
        ),
        prev_edges AS (
            INSERT INTO event_prev_edges (event_nid, prev_event_nid) SELECT * FROM unnest($24::bigint[], $25::bigint[])
        ),
        holes_found AS (
            INSERT INTO missing_events (event_nid, room_nid, discovered_ts)
            SELECT h, $1, $29 FROM unnest($28::bigint[]) AS h
            ON CONFLICT (event_nid) DO NOTHING
        ),
        extremities_removed AS (DELETE FROM forward_extremities WHERE room_nid = $1 AND event_nid = ANY ($30::bigint[])),
        extremities_added AS (INSERT INTO forward_extremities (room_nid, event_nid) SELECT $1, c FROM unnest($31::bigint[]) AS c)
        SELECT 1
        """;

    /// <summary>A state group big enough to store its event ids (rare: see <c>StateGroupRow.EventIdsStoredFrom</c>);
    /// smaller groups go through <see cref="WriteAll"/>.</summary>
    public const string InsertGroupWithEventIds =
        """
        INSERT INTO state_groups (state_group_nid, room_nid, prev_state_group_nid, height, slot_nids, event_nids, event_ids)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        """;

    /// <summary>Outliers now persisted as timeline events (their stream ordering moves to now).</summary>
    public const string DeOutlier =
        """
        UPDATE events e
        SET outlier = false, status = u.st, rejection_reason = u.rr, backfilled = u.b, state_before_group = u.bg,
            state_after_group = u.ag, stream_ordering = nextval('event_stream_ordering_seq')
        FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::boolean[], $5::bigint[], $6::bigint[])
             WITH ORDINALITY AS u(n, st, rr, b, bg, ag, ord)
        WHERE e.event_nid = u.n
        """;

    /// <summary>Holes the batch's timeline events fill (only sent when one of them was referenced before).</summary>
    public const string DeleteFilledHoles = "DELETE FROM missing_events WHERE event_nid = ANY ($1)";

    // Synapse's rule (persist_events.py: _calculate_new_extremities): drop the prevs of the new events, and the prevs
    // hidden behind soft-failed or rejected prevs, recursively through such events. Only needed when some prev is
    // soft-failed or rejected; it must see the batch's own edges, so it runs after WriteAll, followed by the candidates
    // (which must come after it, as before).
    public const string DeleteExtremities = "DELETE FROM forward_extremities WHERE room_nid = $1 AND event_nid = ANY ($2)";

    public const string DeleteExtremitiesBehindFailed =
        """
        WITH RECURSIVE bad(nid) AS (
            SELECT e.event_nid FROM unnest($2::bigint[]) AS p(nid) JOIN events e ON e.event_nid = p.nid WHERE e.status <> 0
          UNION
            SELECT e.event_nid
            FROM bad JOIN event_prev_edges p ON p.event_nid = bad.nid JOIN events e ON e.event_nid = p.prev_event_nid
            WHERE e.status <> 0
        )
        DELETE FROM forward_extremities f
        WHERE f.room_nid = $1
          AND f.event_nid IN (SELECT p.prev_event_nid FROM bad JOIN event_prev_edges p ON p.event_nid = bad.nid)
        """;

    // A new candidate becomes an extremity unless it already has an accepted, non-outlier child.
    public const string InsertExtremities =
        """
        INSERT INTO forward_extremities (room_nid, event_nid)
        SELECT $1, c FROM unnest($2::bigint[]) AS c
        WHERE NOT EXISTS (
            SELECT 1 FROM event_prev_edges p JOIN events child ON child.event_nid = p.event_nid
            WHERE p.prev_event_nid = c AND NOT child.outlier AND child.status = 0
            LIMIT 1)
        ON CONFLICT DO NOTHING
        """;

    public const string SetCreateEvent = "UPDATE rooms SET create_event_nid = $2 WHERE room_nid = $1 AND create_event_nid IS NULL";
}
