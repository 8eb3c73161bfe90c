using Federation.Protocol.Json;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string LockRoomSql = "SELECT pg_advisory_xact_lock($1, $2)";

    // Numbers every id the batch mentions (its events, their prev and auth events, events its states name) in the room,
    // creating event_ids rows for ids never seen (holes), and reports what is held of each.
    private const string ResolveIdsSql =
        """
        WITH wanted AS (SELECT DISTINCT w AS event_id FROM unnest($2::text[]) AS w),
        existing AS (
            SELECT i.event_nid, i.event_id FROM event_ids i JOIN wanted USING (event_id) WHERE i.room_nid = $1
        ),
        inserted AS (
            INSERT INTO event_ids (room_nid, event_id)
            SELECT $1, w.event_id FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM existing x WHERE x.event_id = w.event_id)
            ORDER BY w.event_id
            RETURNING event_nid, event_id
        )
        SELECT x.event_id, x.event_nid, e.event_nid IS NOT NULL, e.outlier, e.status, e.state_before_group, e.state_after_group
        FROM existing x LEFT JOIN events e ON e.event_nid = x.event_nid
        UNION ALL
        SELECT event_id, event_nid, false, NULL, NULL, NULL, NULL FROM inserted
        """;

    private const string AllocateGroupsSql = "SELECT nextval('state_group_nid_seq') FROM generate_series(1, $1)";

    private const string InsertGroupsSql =
        """
        INSERT INTO state_groups (state_group_nid, room_nid, prev_state_group_nid, height, slot_nids, event_nids)
        SELECT g, $1, p, h, ($7::bigint[])[o + 1:o + l], ($8::bigint[])[o + 1:o + l]
        FROM unnest($2::bigint[], $3::bigint[], $4::integer[], $5::integer[], $6::integer[]) AS u(g, p, h, o, l)
        """;

    private const string InsertEventsSql =
        """
        INSERT INTO events (event_nid, room_nid, type_nid, slot_nid, sender, depth, origin_server_ts, status,
                            rejection_reason, outlier, backfilled, membership, state_before_group, state_after_group)
        SELECT n, $1, t, s, se, d, ts, st, rr, o, b, m, bg, ag
        FROM unnest($2::bigint[], $3::integer[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::smallint[],
                    $9::text[], $10::boolean[], $11::boolean[], $12::text[], $13::bigint[], $14::bigint[])
             WITH ORDINALITY AS u(n, t, s, se, d, ts, st, rr, o, b, m, bg, ag, ord)
        ORDER BY ord
        """;

    private const string InsertJsonSql =
        "INSERT INTO event_json (event_nid, json, redacted_json) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[])";

    private const string DeOutlierSql =
        """
        UPDATE events e
        SET outlier = false, status = u.st, rejection_reason = u.rr, backfilled = u.b, state_before_group = u.bg,
            state_after_group = u.ag, stream_ordering = nextval('event_stream_ordering_seq')
        FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::boolean[], $5::bigint[], $6::bigint[])
             WITH ORDINALITY AS u(n, st, rr, b, bg, ag, ord)
        WHERE e.event_nid = u.n
        """;

    private const string InsertPrevEdgesSql =
        "INSERT INTO event_prev_edges (event_nid, prev_event_nid) SELECT * FROM unnest($1::bigint[], $2::bigint[])";

    private const string InsertAuthEdgesSql =
        "INSERT INTO event_auth_edges (event_nid, auth_event_nid) SELECT * FROM unnest($1::bigint[], $2::bigint[])";

    private const string DeleteFilledHolesSql = "DELETE FROM missing_events WHERE event_nid = ANY ($1)";

    private const string InsertHolesSql =
        """
        INSERT INTO missing_events (event_nid, room_nid, discovered_ts)
        SELECT DISTINCT p, $1, $3 FROM unnest($2::bigint[]) AS p
        WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_nid = p AND NOT e.outlier LIMIT 1)
        ON CONFLICT (event_nid) DO NOTHING
        """;

    // Synapse's rule (persist_events.py: _calculate_new_extremities): drop the prevs of the new events, and the prevs
    // hidden behind soft-failed or rejected prevs, recursively through such events. The recursive form only runs when
    // some prev is soft-failed or rejected. Sub-selects carry LIMIT so the planner keeps them as per-row index probes
    // instead of hashing whole edge tables (it cannot estimate unnest or recursion sizes).
    private const string DeleteExtremitiesSql = "DELETE FROM forward_extremities WHERE room_nid = $1 AND event_nid = ANY ($2)";

    private const string DeleteExtremitiesBehindFailedSql =
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
    private const string InsertExtremitiesSql =
        """
        INSERT INTO forward_extremities (room_nid, event_nid)
        SELECT $1, c FROM unnest($2::bigint[]) AS c
        WHERE NOT EXISTS (
            SELECT 1 FROM event_prev_edges p JOIN events child ON child.event_nid = p.event_nid
            WHERE p.prev_event_nid = c AND NOT child.outlier AND child.status = 0
            LIMIT 1)
        ON CONFLICT DO NOTHING
        """;

    private const string SetCreateEventSql = "UPDATE rooms SET create_event_nid = $2 WHERE room_nid = $1 AND create_event_nid IS NULL";

    /// <summary>
    /// Persists a batch of events of one room atomically: events, JSON, prev and auth edges, status, state snapshots,
    /// holes and forward extremities are written in one transaction, or nothing is. Events must come in an order where
    /// every event named by a <see cref="StateBefore"/> is persisted already or earlier in the batch. Events already
    /// held are skipped, except that an outlier persisted again as a timeline event is de-outliered.
    /// </summary>
    /// <exception cref="ArgumentException">The batch mixes rooms, repeats an event, or an entry is inconsistent.</exception>
    /// <exception cref="InvalidOperationException">A state refers to an event the store does not hold (with state).</exception>
    public async Task<PersistResult> PersistEventsAsync(IReadOnlyList<EventToPersist> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return new PersistResult([], []);
        }

        WriteBatchValidation.Validate(events);
        var first = events[0].Pdu;
        var room = await GetOrCreateRoomAsync(first.RoomId, first.RoomVersion, cancellationToken).ConfigureAwait(false);
        await interner.InternAsync(
            events.Select(e => e.Pdu.Type),
            WriteBatchValidation.SlotsOf(events),
            cancellationToken).ConfigureAwait(false);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var groupBudget = 2 * events.Count(e => !e.IsOutlier);
        var (refs, groupNids) = await LockAndResolveAsync(
            connection, transaction, room, WriteBatchValidation.IdsOf(events), groupBudget, cancellationToken).ConfigureAwait(false);

        var workspace = new StateGroupWorkspace(stateGroups, connection, transaction);
        var planner = new WritePlanner(this, workspace, refs, groupNids);
        var plan = await planner.PlanAsync(events, cancellationToken).ConfigureAwait(false);

        if (plan.Written.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            AddWriteCommands(batch, room, plan, workspace.Created, refs);
            BeforeWriteForTests?.Invoke(batch);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        workspace.PublishCreated();
        foreach (var written in plan.Written)
        {
            eventIds.Add(written.Nid, written.Event.Pdu.EventId);
        }

        return new PersistResult(
            [.. plan.Written.Select(w => w.Event.Pdu.EventId)],
            [.. plan.Skipped.Select(e => e.Pdu.EventId)]);
    }

    private static async Task<(Dictionary<string, EventRef> Refs, long[] GroupNids)> LockAndResolveAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        RoomRef room,
        string[] ids,
        int groupBudget,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        batch.BatchCommands.Add(Sql.Command(LockRoomSql, RoomLockNamespace, RoomLockKey(room.Nid)));
        batch.BatchCommands.Add(Sql.Command(ResolveIdsSql, room.Nid, ids));
        batch.BatchCommands.Add(Sql.Command(AllocateGroupsSql, groupBudget));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var refs = new Dictionary<string, EventRef>(ids.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var held = reader.GetBoolean(2);
            refs[reader.GetString(0)] = new EventRef(reader.GetInt64(1))
            {
                Held = held,
                Outlier = held && reader.GetBoolean(3),
                Status = held ? (EventStatus)reader.GetInt16(4) : EventStatus.Accepted,
                Before = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                After = reader.IsDBNull(6) ? null : reader.GetInt64(6),
            };
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var groupNids = new long[groupBudget];
        var count = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            groupNids[count++] = reader.GetInt64(0);
        }

        return (refs, groupNids);
    }

    private void AddWriteCommands(
        NpgsqlBatch batch, RoomRef room, WritePlan plan, List<StateGroupRow> groups, Dictionary<string, EventRef> refs)
    {
        if (groups.Count > 0)
        {
            var offsets = new int[groups.Count];
            var lengths = new int[groups.Count];
            var total = 0;
            for (var i = 0; i < groups.Count; i++)
            {
                offsets[i] = total;
                lengths[i] = groups[i].Slots.Length;
                total += lengths[i];
            }

            var slots = new long[total];
            var eventNids = new long[total];
            for (var i = 0; i < groups.Count; i++)
            {
                groups[i].Slots.CopyTo(slots, offsets[i]);
                groups[i].Events.CopyTo(eventNids, offsets[i]);
            }

            batch.BatchCommands.Add(Sql.Command(
                InsertGroupsSql,
                room.Nid,
                groups.Select(g => g.Nid).ToArray(),
                groups.Select(g => g.Prev).ToArray(),
                groups.Select(g => g.Height).ToArray(),
                offsets,
                lengths,
                slots,
                eventNids));
        }

        var fresh = plan.Written.Where(w => !w.DeOutlier).ToArray();
        if (fresh.Length > 0)
        {
            batch.BatchCommands.Add(Sql.Command(
                InsertEventsSql,
                room.Nid,
                fresh.Select(w => w.Nid).ToArray(),
                fresh.Select(w => interner.TypeNid(w.Event.Pdu.Type)).ToArray(),
                fresh.Select(w => w.Event.Pdu.StateKey is { } key ? interner.SlotNid(new StateSlot(w.Event.Pdu.Type, key)) : (long?)null).ToArray(),
                fresh.Select(w => w.Event.Pdu.Sender).ToArray(),
                fresh.Select(w => w.Event.Pdu.Depth).ToArray(),
                fresh.Select(w => w.Event.Pdu.OriginServerTs).ToArray(),
                fresh.Select(w => (short)w.Event.Status).ToArray(),
                fresh.Select(w => w.Event.RejectionReason).ToArray(),
                fresh.Select(w => w.Event.IsOutlier).ToArray(),
                fresh.Select(w => w.Event.IsBackfilled).ToArray(),
                fresh.Select(w => w.Event.Pdu.Membership).ToArray(),
                fresh.Select(w => w.Before).ToArray(),
                fresh.Select(w => w.After).ToArray()));
            batch.BatchCommands.Add(Sql.Command(
                InsertJsonSql,
                fresh.Select(w => w.Nid).ToArray(),
                fresh.Select(w => CanonicalJson.Encode(w.Event.Pdu.Json)).ToArray(),
                fresh.Select(w => w.Event.RedactedJson is { } redacted ? CanonicalJson.Encode(redacted) : null).ToArray()));
            AddEdges(batch, InsertPrevEdgesSql, fresh, w => w.Event.Pdu.PrevEvents, refs);
            AddEdges(batch, InsertAuthEdgesSql, fresh, w => w.Event.Pdu.AuthEvents, refs);
        }

        var deOutliered = plan.Written.Where(w => w.DeOutlier).ToArray();
        if (deOutliered.Length > 0)
        {
            batch.BatchCommands.Add(Sql.Command(
                DeOutlierSql,
                deOutliered.Select(w => w.Nid).ToArray(),
                deOutliered.Select(w => (short)w.Event.Status).ToArray(),
                deOutliered.Select(w => w.Event.RejectionReason).ToArray(),
                deOutliered.Select(w => w.Event.IsBackfilled).ToArray(),
                deOutliered.Select(w => w.Before).ToArray(),
                deOutliered.Select(w => w.After).ToArray()));
        }

        var timeline = plan.Written.Where(w => !w.Event.IsOutlier).ToArray();
        if (timeline.Length > 0)
        {
            batch.BatchCommands.Add(Sql.Command(DeleteFilledHolesSql, timeline.Select(w => w.Nid).ToArray()));
            batch.BatchCommands.Add(Sql.Command(
                InsertHolesSql,
                room.Nid,
                timeline.SelectMany(w => w.Event.Pdu.PrevEvents).Select(id => refs[id].Nid).Distinct().ToArray(),
                timeProvider.GetUtcNow().ToUnixTimeMilliseconds()));
        }

        var candidates = timeline
            .Where(w => w.Event.Status == EventStatus.Accepted && !w.Event.IsBackfilled)
            .ToArray();
        if (candidates.Length > 0)
        {
            var prevs = candidates.SelectMany(w => w.Event.Pdu.PrevEvents).Distinct(StringComparer.Ordinal).Select(id => refs[id]).ToArray();
            var prevNids = prevs.Select(prev => prev.Nid).ToArray();
            batch.BatchCommands.Add(Sql.Command(DeleteExtremitiesSql, room.Nid, prevNids));
            if (prevs.Any(prev => prev.Held && prev.Status != EventStatus.Accepted))
            {
                batch.BatchCommands.Add(Sql.Command(DeleteExtremitiesBehindFailedSql, room.Nid, prevNids));
            }
            batch.BatchCommands.Add(Sql.Command(InsertExtremitiesSql, room.Nid, candidates.Select(w => w.Nid).ToArray()));
        }

        if (plan.Written.FirstOrDefault(w => w.Event.Pdu.IsCreateEvent) is { } create)
        {
            batch.BatchCommands.Add(Sql.Command(SetCreateEventSql, room.Nid, create.Nid));
        }
    }

    private static void AddEdges(
        NpgsqlBatch batch,
        string sql,
        IReadOnlyList<WrittenEvent> events,
        Func<WrittenEvent, IReadOnlyList<string>> targets,
        Dictionary<string, EventRef> refs)
    {
        var from = new List<long>();
        var to = new List<long>();
        foreach (var written in events)
        {
            foreach (var target in targets(written).Distinct(StringComparer.Ordinal))
            {
                from.Add(written.Nid);
                to.Add(refs[target].Nid);
            }
        }

        if (from.Count > 0)
        {
            batch.BatchCommands.Add(Sql.Command(sql, from.ToArray(), to.ToArray()));
        }
    }
}
