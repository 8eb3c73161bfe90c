using Federation.Resync.Core.Fingerprints;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag.Fingerprints;

/// <summary>
/// Computes MSC4500 fingerprints of state groups: a new group from its parent's lattice and its delta (one subtraction
/// per replaced or emptied slot, one addition per filled slot: constant work per change whatever the room's size), a
/// group without a stored lattice (written before fingerprints existed) from its whole state. Rows to store are
/// returned, not written, so that a write stores them in its own transaction.
/// </summary>
internal sealed class StateGroupFingerprinter(StateDigestCache cache, StateSlotInterner interner, EventIdCache eventIds)
{
    private const string SelectSql = "SELECT state_group_nid, lattice, element_count FROM state_group_digests WHERE state_group_nid = ANY ($1)";

    public const string InsertSql =
        """
        INSERT INTO state_group_digests (state_group_nid, lattice, digest, element_count)
        SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bigint[])
        ON CONFLICT (state_group_nid) DO NOTHING
        """;

    /// <summary>
    /// Fingerprints of the groups a write creates, in creation order, plus any stored-lattice-less ancestor it had to
    /// compute. <paramref name="batchIds"/> names the write's own events (not committed yet, so not readable).
    /// </summary>
    public async Task<List<(long Nid, CachedFingerprint Fingerprint)>> ForWriteAsync(
        NpgsqlConnection connection,
        StateGroupWorkspace workspace,
        IReadOnlyList<GroupDerivation> derivations,
        IReadOnlyDictionary<long, string> batchIds,
        CancellationToken cancellationToken)
    {
        var rows = new List<(long Nid, CachedFingerprint Fingerprint)>(derivations.Count);
        if (derivations.Count == 0)
        {
            return rows;
        }

        var created = derivations.Select(d => d.Nid).ToHashSet();
        var bases = new Dictionary<long, CachedFingerprint>();
        var parents = derivations.Where(d => d.Parent is not null).Select(d => d.Parent!.Value).Distinct().ToList();
        foreach (var parent in parents)
        {
            // The old occupants of changed slots are looked up along the parent's chain, down to its snapshot.
            await workspace.EnsureChainAsync(parent, -1, stopAtResolved: true, cancellationToken).ConfigureAwait(false);
        }

        var outside = parents.Where(p => !created.Contains(p)).ToList();

        await LoadStoredAsync(connection, outside, bases, cancellationToken).ConfigureAwait(false);
        foreach (var parent in outside.Where(p => !bases.ContainsKey(p)))
        {
            var computed = await FromWholeStateAsync(connection, workspace, parent, cancellationToken).ConfigureAwait(false);
            bases[parent] = computed;
            rows.Add((parent, computed));
        }

        // The effective changes (old occupant → new one) of every group, and the slots and events they name, resolved
        // before anything is hashed: one read each for what no cache holds.
        var changes = derivations
            .Select(d => (d, Changes: d.Delta
                .Select(change => (Slot: change.Key, Old: d.Parent is long p ? workspace.FindInState(p, change.Key) : null, New: change.Value))
                .Where(change => change.Old != change.New && !(change.Old is null && change.New == StateGroupLevels.Removed))
                .ToList()))
            .ToList();
        var slotNids = changes.SelectMany(c => c.Changes.Select(change => change.Slot)).Distinct().ToList();
        await interner.LoadSlotsAsync(connection, slotNids, cancellationToken).ConfigureAwait(false);
        var eventNids = changes
            .SelectMany(c => c.Changes.SelectMany(change => new[] { change.Old ?? StateGroupLevels.Removed, change.New }))
            .Where(nid => nid != StateGroupLevels.Removed && !batchIds.ContainsKey(nid))
            .Distinct()
            .ToList();
        var ids = new Dictionary<long, string>(batchIds);
        var read = await eventIds.GetAsync(connection, eventNids, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < eventNids.Count; i++)
        {
            ids[eventNids[i]] = read[i];
        }

        var accumulators = new Dictionary<long, StateAccumulator>();
        foreach (var (derivation, list) in changes)
        {
            var accumulator = derivation.Parent is not long parent ? StateAccumulator.Empty()
                : accumulators.TryGetValue(parent, out var createdHere) ? createdHere.Clone()
                : bases[parent].ToAccumulator();
            foreach (var (slotNid, old, added) in list)
            {
                var slot = Slot(slotNid);
                if (old is long oldNid)
                {
                    accumulator.Remove(new StateEntry(slot.Type, slot.StateKey, ids[oldNid]));
                }

                if (added != StateGroupLevels.Removed)
                {
                    accumulator.Add(new StateEntry(slot.Type, slot.StateKey, ids[added]));
                }
            }

            accumulators[derivation.Nid] = accumulator;
            rows.Add((derivation.Nid, CachedFingerprint.Of(accumulator)));
        }

        return rows;
    }

    /// <summary>The fingerprint of a committed group: cached, stored, or computed from its whole state (then returned
    /// in <paramref name="computed"/> for the caller to store).</summary>
    public async Task<CachedFingerprint> OfCommittedAsync(
        NpgsqlConnection connection, StateGroupWorkspace workspace, long groupNid, List<(long Nid, CachedFingerprint Fingerprint)> computed,
        CancellationToken cancellationToken)
    {
        var found = new Dictionary<long, CachedFingerprint>();
        await LoadStoredAsync(connection, [groupNid], found, cancellationToken).ConfigureAwait(false);
        if (found.TryGetValue(groupNid, out var stored))
        {
            return stored;
        }

        await workspace.EnsureChainAsync(groupNid, -1, stopAtResolved: true, cancellationToken).ConfigureAwait(false);
        var fingerprint = await FromWholeStateAsync(connection, workspace, groupNid, cancellationToken).ConfigureAwait(false);
        computed.Add((groupNid, fingerprint));
        return fingerprint;
    }

    /// <summary>Adds rows computed here to the cache (after they are committed).</summary>
    public void Publish(IEnumerable<(long Nid, CachedFingerprint Fingerprint)> rows)
    {
        foreach (var (nid, fingerprint) in rows)
        {
            cache.Add(nid, fingerprint);
        }
    }

    /// <summary>The statement storing <paramref name="rows"/>.</summary>
    public static NpgsqlBatchCommand InsertCommand(IReadOnlyList<(long Nid, CachedFingerprint Fingerprint)> rows) =>
        Sql.Command(
            InsertSql,
            rows.Select(r => r.Nid).ToArray(),
            rows.Select(r => r.Fingerprint.Lattice).ToArray(),
            rows.Select(r => r.Fingerprint.Fingerprint.Digest.ToBytes()).ToArray(),
            rows.Select(r => r.Fingerprint.Fingerprint.Count).ToArray());

    private async Task LoadStoredAsync(
        NpgsqlConnection connection, IReadOnlyCollection<long> groups, Dictionary<long, CachedFingerprint> into, CancellationToken cancellationToken)
    {
        var missing = new List<long>();
        foreach (var group in groups)
        {
            if (cache.TryGet(group, out var cached))
            {
                into[group] = cached;
            }
            else
            {
                missing.Add(group);
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(SelectSql, connection);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. missing] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var accumulator = StateAccumulator.From(reader.GetFieldValue<byte[]>(1), reader.GetInt64(2));
            var fingerprint = CachedFingerprint.Of(accumulator);
            cache.Add(reader.GetInt64(0), fingerprint);
            into[reader.GetInt64(0)] = fingerprint;
        }
    }

    // Work proportional to the room's state: only for groups written before fingerprints existed.
    private async Task<CachedFingerprint> FromWholeStateAsync(
        NpgsqlConnection connection, StateGroupWorkspace workspace, long groupNid, CancellationToken cancellationToken)
    {
        var state = workspace.Materialise(groupNid);
        await interner.LoadSlotsAsync(connection, state.Map.Keys, cancellationToken).ConfigureAwait(false);
        var ids = state.EventIds
            ?? await eventIds.GetManyAsync(connection, [.. state.Map.Values], workspace.KnownEventIds(groupNid), cancellationToken).ConfigureAwait(false);
        var accumulator = StateAccumulator.Empty();
        var i = 0;
        foreach (var slotNid in state.Map.Keys)
        {
            var slot = Slot(slotNid);
            accumulator.Add(new StateEntry(slot.Type, slot.StateKey, ids[i++]));
        }

        return CachedFingerprint.Of(accumulator);
    }

    private StateSlot Slot(long slotNid) =>
        interner.TryGetSlot(slotNid, out var slot) ? slot : throw new InvalidOperationException($"Unknown state slot {slotNid}.");
}
