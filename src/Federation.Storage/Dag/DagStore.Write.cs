using Federation.Storage.Dag.Fingerprints;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    /// <summary>
    /// Persists a batch of events of one room atomically: events, JSON, prev and auth edges, status, state snapshots,
    /// holes and forward extremities are written in one transaction, or nothing is. Events must come in an order where
    /// every event named by a <see cref="StateBefore"/> is persisted already or earlier in the batch. Events already
    /// held are skipped, except that an outlier persisted again as a timeline event is de-outliered.
    /// </summary>
    /// <exception cref="ArgumentException">The batch mixes rooms, repeats an event, or an entry is inconsistent.</exception>
    /// <exception cref="InvalidOperationException">A state refers to an event the store does not hold (with state).</exception>
    public async Task<PersistResult> PersistEventsAsync(IReadOnlyList<EventToPersist> events, CancellationToken cancellationToken = default) =>
        (await PersistAsync(events, expectedExtremities: null, alongside: null, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// As <see cref="PersistEventsAsync"/>, with <paramref name="alongside"/> run in order in the same transaction after
    /// the write, so that both happen or neither does (for example, queuing a local event for the servers it goes to).
    /// </summary>
    public async Task<PersistResult> PersistEventsAlongsideAsync(
        IReadOnlyList<EventToPersist> events, IReadOnlyList<NpgsqlBatchCommand> alongside, CancellationToken cancellationToken = default) =>
        (await PersistAsync(events, expectedExtremities: null, alongside, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// As <see cref="PersistEventsAsync"/>, provided the room's forward extremities are still exactly
    /// <paramref name="expectedExtremities"/> and the room knows none of the events yet, not even as an id a held event
    /// names (both checked under the room's write lock, in the write's first round trip): for a writer that decided new
    /// events against the room as it was then. <paramref name="alongside"/>, when given, run in order in the same
    /// transaction after the write (for example, removing the events from the queue they came from), so that both
    /// happen or neither does; they are prepared with the write.
    /// </summary>
    /// <returns>What was written; null when the extremities had changed or an event was known, and nothing was.</returns>
    public Task<PersistResult?> PersistEventsIfExtremitiesAsync(
        IReadOnlyList<EventToPersist> events,
        IReadOnlyCollection<string> expectedExtremities,
        IReadOnlyList<NpgsqlBatchCommand>? alongside = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expectedExtremities);
        return PersistAsync(events, [.. expectedExtremities], alongside, cancellationToken);
    }

    /// <summary>
    /// The room's forward extremities for a writer that will check them with
    /// <see cref="PersistEventsIfExtremitiesAsync"/>: as this process last read them or left them with such a write,
    /// without asking the database, when no other write of the room by this process came in between; otherwise read.
    /// Another process may have written since, which the conditional write finds. Order as
    /// <see cref="GetForwardExtremitiesAsync"/> only when read.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetForwardExtremitiesForWriteAsync(string roomId, CancellationToken cancellationToken = default)
    {
        if (rooms.TryGetValue(roomId, out var room) && extremityMemory.TryGet(room.Nid, out var remembered))
        {
            return remembered;
        }

        var ticket = room is null ? null : extremityMemory.StartRead(room.Nid);
        var extremities = await GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (ticket is long started)
        {
            extremityMemory.FinishRead(room!.Nid, started, extremities);
        }

        return extremities;
    }

    private async Task<PersistResult?> PersistAsync(
        IReadOnlyList<EventToPersist> events, string[]? expectedExtremities, IReadOnlyList<NpgsqlBatchCommand>? alongside, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return alongside is null ? new PersistResult([], []) : throw new ArgumentException("Nothing to write the statements alongside", nameof(events));
        }

        WriteBatchValidation.Validate(events);
        var first = events[0].Pdu;
        var room = await GetOrCreateRoomAsync(first.RoomId, first.RoomVersion, cancellationToken).ConfigureAwait(false);
        await interner.InternAsync(
            events.Select(e => e.Pdu.Type),
            WriteBatchValidation.SlotsOf(events),
            cancellationToken).ConfigureAwait(false);

        // Two round trips: BEGIN + lock + numbering, then every write + COMMIT. The transaction is driven by SQL rather
        // than NpgsqlTransaction so that COMMIT travels with the writes instead of costing a third round trip.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var ticket = extremityMemory.StartWrite(room.Nid);
        IReadOnlyList<string>? extremitiesAfter = null;
        try
        {
            // Events held with state are taken from memory; only the other ids are numbered in the database.
            var ids = WriteBatchValidation.IdsOf(events);
            var settled = new Dictionary<string, EventRef>(StringComparer.Ordinal);
            var unsettled = new List<string>(ids.Length);
            foreach (var id in ids)
            {
                if (settledRefs.TryGet(room.Nid, id, out var known))
                {
                    settled[id] = known.ToEventRef();
                }
                else
                {
                    unsettled.Add(id);
                }
            }

            var resolved = await LockAndResolveAsync(
                connection, room, [.. unsettled], WriteBatchValidation.GroupBudget(events), expectedExtremities, cancellationToken)
                .ConfigureAwait(false);
            if (resolved is not var (refs, groupNids))
            {
                await RollBackQuietlyAsync(connection).ConfigureAwait(false);
                return null;
            }

            foreach (var (id, known) in refs)
            {
                if (known.Held && !known.Outlier)
                {
                    settledRefs.Remember(room.Nid, id, new SettledEventRef(known.Nid, known.Status, known.Before, known.After));
                }
            }

            foreach (var (id, known) in settled)
            {
                refs[id] = known;
            }

            if (expectedExtremities is not null && events.Any(e => refs[e.Pdu.EventId].KnownBefore))
            {
                await RollBackQuietlyAsync(connection).ConfigureAwait(false);
                return null;
            }

            var workspace = new StateGroupWorkspace(stateGroups, connection, null);
            var planner = new WritePlanner(this, workspace, refs, groupNids);
            var plan = await planner.PlanAsync(events, cancellationToken).ConfigureAwait(false);
            var idsByNid = IdsByNid(refs);
            await AttachEventIdsAsync(connection, workspace, planner.Derivations, idsByNid, cancellationToken).ConfigureAwait(false);
            var fingerprints = await fingerprinter.ForWriteAsync(
                connection, workspace, planner.Derivations, idsByNid, cancellationToken).ConfigureAwait(false);

            await using (var batch = new NpgsqlBatch(connection))
            {
                var prepare = false;
                ExtremityChange? change = new([], []);
                if (plan.Written.Count > 0)
                {
                    prepare = WriteCommands.Add(batch, room, plan, workspace.Created, refs, interner, NowMs(), out change);
                    if (fingerprints.Count > 0)
                    {
                        batch.BatchCommands.Add(StateGroupFingerprinter.InsertCommand(fingerprints));
                    }

                    BeforeWriteForTests?.Invoke(batch);
                }

                foreach (var command in alongside ?? [])
                {
                    batch.BatchCommands.Add(command);
                }

                batch.BatchCommands.Add(new NpgsqlBatchCommand(WriteSql.Commit));
                if (prepare)
                {
                    // Parsing and planning the write statement was a quarter of the database's CPU per write.
                    await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                extremitiesAfter = expectedExtremities is null ? null : change?.ApplyTo(expectedExtremities);
            }

            workspace.PublishCreated();
            fingerprinter.Publish(fingerprints);
            plannerStatistics.EventsWritten(plan.Written.Count);
            if (EventsDeOutliered is { } deOutliered && plan.Written.Any(w => w.DeOutlier))
            {
                deOutliered(this, new EventsDeOutlieredEventArgs([.. plan.Written.Where(w => w.DeOutlier).Select(w => w.Event.Pdu.EventId)]));
            }
            foreach (var written in plan.Written)
            {
                eventIds.Add(written.Nid, written.Event.Pdu.EventId);
                if (!written.Event.IsOutlier)
                {
                    settledRefs.Remember(room.Nid, written.Event.Pdu.EventId, new SettledEventRef(written.Nid, written.Event.Status, written.Before, written.After));
                }
            }

            return new PersistResult(
                [.. plan.Written.Select(w => w.Event.Pdu.EventId)],
                [.. plan.Skipped.Select(e => e.Pdu.EventId)]);
        }
        catch
        {
            await RollBackQuietlyAsync(connection).ConfigureAwait(false);
            throw;
        }
        finally
        {
            extremityMemory.FinishWrite(room.Nid, ticket, extremitiesAfter);
        }
    }

    // Every id the write numbered (its own events, not committed yet, among them), by nid.
    private static Dictionary<long, string> IdsByNid(Dictionary<string, EventRef> refs)
    {
        var ids = new Dictionary<long, string>(refs.Count);
        foreach (var (id, known) in refs)
        {
            ids[known.Nid] = id;
        }

        return ids;
    }

    // Big new rows store their event ids (see StateGroupRow.EventIdsStoredFrom). Every entry of a new row comes from its
    // delta or from the rows on its parent's chain, so the ids are the write's own, those stored with big rows on that
    // chain, or (rarely, e.g. a level delta gathering many small deltas) looked up.
    private async Task AttachEventIdsAsync(
        NpgsqlConnection connection,
        StateGroupWorkspace workspace,
        List<GroupDerivation> derivations,
        Dictionary<long, string> idsByNid,
        CancellationToken cancellationToken)
    {
        foreach (var derivation in derivations)
        {
            var row = workspace.Get(derivation.Nid);
            if (!row.StoresEventIds)
            {
                continue;
            }

            var known = derivation.Parent is long parent ? workspace.KnownEventIds(parent) ?? [] : [];
            foreach (var (nid, id) in idsByNid)
            {
                known.TryAdd(nid, id);
            }

            known[StateGroupLevels.Removed] = string.Empty;
            row.EventIds = await eventIds.GetManyAsync(connection, row.Events, known, cancellationToken).ConfigureAwait(false);
        }
    }

    // After a failure the transaction may be open, aborted or already gone (the error may have been the connection);
    // a pooled connection must not go back with it open.
    private static async Task RollBackQuietlyAsync(NpgsqlConnection connection)
    {
        if (connection.State != System.Data.ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
            await rollback.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (NpgsqlException)
        {
            // The connection is broken; the server rolls the transaction back when it goes.
        }
        catch (InvalidOperationException)
        {
            // The connection is in no state to talk; the same holds.
        }
    }

    // Null when the room's extremities are not the expected ones.
    private static async Task<(Dictionary<string, EventRef> Refs, long[] GroupNids)?> LockAndResolveAsync(
        NpgsqlConnection connection,
        RoomRef room,
        string[] ids,
        int groupBudget,
        string[]? expectedExtremities,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(WriteSql.Begin));
        batch.BatchCommands.Add(Sql.Command(WriteSql.LockRoom, RoomLockNamespace, RoomLockKey(room.Nid)));
        if (expectedExtremities is not null)
        {
            batch.BatchCommands.Add(Sql.Command(SelectExtremitiesSql, room.Nid));
        }

        batch.BatchCommands.Add(Sql.Command(WriteSql.ResolveIds, room.Nid, ids));
        if (groupBudget > 0)
        {
            batch.BatchCommands.Add(Sql.Command(WriteSql.AllocateGroups, groupBudget));
        }

        // Prepared once per connection: its plan is index probes whatever the parameters (see WriteSql.ResolveIds), so
        // a generic plan is safe and parsing and planning are saved.
        await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);

        // BEGIN returns no rows, so the reader starts at the lock's result.
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        if (expectedExtremities is not null)
        {
            var extremities = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                extremities.Add(reader.GetString(0));
            }

            if (!extremities.SetEquals(expectedExtremities))
            {
                return null;
            }

            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }
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
                KnownBefore = reader.GetBoolean(7),
            };
        }

        var groupNids = new long[groupBudget];
        if (groupBudget > 0)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            var count = 0;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                groupNids[count++] = reader.GetInt64(0);
            }
        }

        return (refs, groupNids);
    }
}
