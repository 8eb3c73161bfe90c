using System.Data;
using Npgsql;

namespace Federation.Storage.Dag.State;

/// <summary>
/// State groups as seen by one read or write: the shared cache, rows loaded from the database on demand, and groups
/// created by the write in progress (published to the cache only after commit by the caller).
/// </summary>
internal sealed class StateGroupWorkspace(StateGroupCache cache, NpgsqlConnection connection, NpgsqlTransaction? transaction)
{
    // Follows prev_state_group_nid from $1 down to height $2 (or the full snapshot), at most $3 rows. Each step is a
    // primary-key probe (LATERAL … LIMIT 1) and the arrays travel in the same pass: as a join, the planner hashed a
    // scan of the whole table at every step when its statistics were behind, which made a cold read of a big room's
    // state take hundreds of milliseconds. The arrays come as array_send bytes (see BinaryBigintArray), and a big row's
    // event ids with it (state_groups.event_ids).
    private const string LoadChainSql =
        """
        WITH RECURSIVE chain AS (
            SELECT g.state_group_nid, g.prev_state_group_nid, g.height, g.slot_nids, g.event_nids, g.event_ids, 1 AS hops
            FROM state_groups g WHERE g.state_group_nid = $1
          UNION ALL
            SELECT g.state_group_nid, g.prev_state_group_nid, g.height, g.slot_nids, g.event_nids, g.event_ids, c.hops + 1
            FROM chain c CROSS JOIN LATERAL (
                SELECT * FROM state_groups s WHERE s.state_group_nid = c.prev_state_group_nid LIMIT 1) g
            WHERE c.height > $2 AND c.hops <= $3
        )
        SELECT state_group_nid, prev_state_group_nid, height, array_send(slot_nids), array_send(event_nids), event_ids FROM chain
        """;

    private readonly Dictionary<long, StateGroupRow> created = [];
    private readonly Dictionary<long, StateGroupRow> loaded = [];

    /// <summary>Groups created by this workspace, in creation order (parents before children).</summary>
    public List<StateGroupRow> Created { get; } = [];

    public StateGroupRow Get(long nid) =>
        TryGet(nid, out var row)
            ? row
            : throw new InvalidOperationException($"State group {nid} is not loaded.");

    /// <summary>Makes sure the chain of <paramref name="nid"/> is in memory down to the row at
    /// <paramref name="minHeight"/> (−1: down to the full snapshot, or to a group whose state is cached when
    /// <paramref name="stopAtResolved"/>).</summary>
    public async Task EnsureChainAsync(long nid, int minHeight, bool stopAtResolved, CancellationToken cancellationToken)
    {
        long? current = nid;
        while (current is long groupNid)
        {
            if (stopAtResolved && cache.TryGetResolved(groupNid, out _))
            {
                return;
            }

            if (!TryGet(groupNid, out var row))
            {
                await LoadChainAsync(groupNid, minHeight, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (row.Height <= minHeight)
            {
                return;
            }

            current = row.Prev;
        }
    }

    /// <summary>The rows from <paramref name="nid"/> down to its full snapshot (the chain must be loaded: see
    /// <see cref="EnsureChainAsync"/> with −1 and no stop at resolved groups).</summary>
    public List<StateGroupRow> Chain(long nid)
    {
        var chain = new List<StateGroupRow>();
        for (long? current = nid; current is long groupNid; current = chain[^1].Prev)
        {
            chain.Add(Get(groupNid));
        }

        return chain;
    }

    /// <summary>The whole state of a group whose chain is loaded (<see cref="EnsureChainAsync"/> with −1).</summary>
    public ResolvedState Materialise(long nid)
    {
        if (cache.TryGetResolved(nid, out var cached))
        {
            return cached;
        }

        var path = new Stack<StateGroupRow>();
        Dictionary<long, long>? start = null;
        long? current = nid;
        while (current is long groupNid)
        {
            if (cache.TryGetResolved(groupNid, out var resolved))
            {
                start = new Dictionary<long, long>(resolved.Map);
                break;
            }

            var row = Get(groupNid);
            path.Push(row);
            current = row.Prev;
        }

        var map = start ?? new Dictionary<long, long>(path.Count > 0 ? path.Peek().Slots.Length : 0);
        while (path.TryPop(out var row))
        {
            Apply(map, row.Slots, row.Events);
        }

        return new ResolvedState(map);
    }

    /// <summary>
    /// The event in <paramref name="slot"/> in the state of group <paramref name="nid"/>, or null when the slot is empty,
    /// without materialising the state: the first row of the chain that mentions the slot decides (a cached
    /// materialised state answers directly). The chain must be loaded (<see cref="EnsureChainAsync"/> with −1).
    /// </summary>
    public long? FindInState(long nid, long slot)
    {
        for (long? current = nid; current is long groupNid;)
        {
            if (cache.TryGetResolved(groupNid, out var resolved))
            {
                return resolved.Map.TryGetValue(slot, out var held) ? held : null;
            }

            var row = Get(groupNid);
            if (row.TryFind(slot, out var eventNid))
            {
                return eventNid == StateGroupLevels.Removed ? null : eventNid;
            }

            current = row.Prev;
        }

        return null;
    }

    /// <summary>
    /// The event ids this workspace already holds for the state of group <paramref name="nid"/>: those stored with the
    /// big rows on its loaded chain (from the group down, stopping at a row not loaded) and those of a cached
    /// materialised state met on the way; null when there are none.
    /// </summary>
    public Dictionary<long, string>? KnownEventIds(long nid)
    {
        Dictionary<long, string>? known = null;
        for (long? current = nid; current is long groupNid;)
        {
            if (cache.TryGetResolved(groupNid, out var resolved) && resolved.EventIds is { } resolvedIds)
            {
                known ??= new Dictionary<long, string>(resolvedIds.Length);
                var i = 0;
                foreach (var eventNid in resolved.Map.Values)
                {
                    known.TryAdd(eventNid, resolvedIds[i++]);
                }

                break;
            }

            if (!TryGet(groupNid, out var row))
            {
                break;
            }

            if (row.EventIds is { } ids)
            {
                known ??= new Dictionary<long, string>(ids.Length);
                for (var i = 0; i < ids.Length; i++)
                {
                    if (row.Events[i] != StateGroupLevels.Removed)
                    {
                        known.TryAdd(row.Events[i], ids[i]);
                    }
                }
            }

            current = row.Prev;
        }

        return known;
    }

    /// <summary>Resolves and remembers the state of a committed group.</summary>
    public ResolvedState MaterialiseCommitted(long nid)
    {
        var state = Materialise(nid);
        cache.AddResolved(nid, state);
        return state;
    }

    /// <summary>The base distance a child of <paramref name="parentNid"/> will use (its chain down to there must be loaded).</summary>
    public int ChildMinHeight(long? parentNid)
    {
        if (parentNid is not long parent)
        {
            return -1;
        }

        var height = Get(parent).Height + 1;
        var distance = StateGroupLevels.BaseDistance(height);
        return distance == 0 ? -1 : height - distance;
    }

    /// <summary>
    /// Creates the group "state of <paramref name="parentNid"/> with <paramref name="delta"/> applied" (a full snapshot of
    /// <paramref name="delta"/> without a parent). The parent's chain must be loaded to <see cref="ChildMinHeight"/>.
    /// </summary>
    public StateGroupRow Create(long nid, long? parentNid, IReadOnlyDictionary<long, long> delta)
    {
        StateGroupRow row;
        if (parentNid is not long parentGroup)
        {
            row = Snapshot(nid, 0, delta);
        }
        else
        {
            var parent = Get(parentGroup);
            var height = parent.Height + 1;
            var distance = StateGroupLevels.BaseDistance(height);
            if (distance == 0)
            {
                var full = new Dictionary<long, long>(Materialise(parent.Nid).Map);
                Apply(full, delta);
                row = Snapshot(nid, height, full);
            }
            else if (distance == 1)
            {
                row = Delta(nid, parent.Nid, height, delta);
            }
            else
            {
                var target = height - distance;
                var path = new Stack<StateGroupRow>();
                var current = parent;
                while (current.Height > target)
                {
                    path.Push(current);
                    current = Get(current.Prev ?? throw new InvalidOperationException(
                        $"State group {current.Nid} at height {current.Height} has no base below it."));
                }

                var combined = new Dictionary<long, long>();
                while (path.TryPop(out var step))
                {
                    Apply(combined, step.Slots, step.Events);
                }

                Apply(combined, delta);
                row = Delta(nid, current.Nid, height, combined);
            }
        }

        created[nid] = row;
        Created.Add(row);
        return row;
    }

    /// <summary>Adds the groups created here to the shared cache (after the write committed).</summary>
    public void PublishCreated()
    {
        foreach (var row in Created)
        {
            cache.AddRow(row);
        }
    }

    private bool TryGet(long nid, out StateGroupRow row) =>
        created.TryGetValue(nid, out row!) || loaded.TryGetValue(nid, out row!) || cache.TryGetRow(nid, out row!);

    private static StateGroupRow Snapshot(long nid, int height, IReadOnlyDictionary<long, long> state)
    {
        var slots = new List<long>(state.Count);
        var events = new List<long>(state.Count);
        foreach (var (slot, eventNid) in state)
        {
            if (eventNid != StateGroupLevels.Removed)
            {
                slots.Add(slot);
                events.Add(eventNid);
            }
        }

        return new StateGroupRow(nid, null, height, [.. slots], [.. events]);
    }

    private static StateGroupRow Delta(long nid, long prev, int height, IReadOnlyDictionary<long, long> delta) =>
        new(nid, prev, height, [.. delta.Keys], [.. delta.Values]);

    private static void Apply(Dictionary<long, long> map, long[] slots, long[] events)
    {
        for (var i = 0; i < slots.Length; i++)
        {
            if (events[i] == StateGroupLevels.Removed)
            {
                map.Remove(slots[i]);
            }
            else
            {
                map[slots[i]] = events[i];
            }
        }
    }

    private static void Apply(Dictionary<long, long> map, IReadOnlyDictionary<long, long> delta)
    {
        foreach (var (slot, eventNid) in delta)
        {
            if (eventNid == StateGroupLevels.Removed)
            {
                map.Remove(slot);
            }
            else
            {
                map[slot] = eventNid;
            }
        }
    }

    private async Task LoadChainAsync(long nid, int minHeight, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(LoadChainSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = nid });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = minHeight });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = StateGroupLevels.MaxChainLength + 1 });
        // Sequential: a big row (two 100k-element arrays and its ids) is read as it arrives, not buffered whole first.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        var found = false;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            found = true;
            var groupNid = reader.GetInt64(0);
            long? prev = reader.IsDBNull(1) ? null : reader.GetInt64(1);
            var height = reader.GetInt32(2);
            var slots = BinaryBigintArray.Parse(reader.GetFieldValue<byte[]>(3));
            var events = BinaryBigintArray.Parse(reader.GetFieldValue<byte[]>(4));
            var row = new StateGroupRow(groupNid, prev, height, slots, events)
            {
                EventIds = reader.IsDBNull(5) ? null : PackedEventIds.Unpack(reader.GetFieldValue<byte[]>(5), events.Length),
            };
            loaded[row.Nid] = row;
            cache.AddRow(row);
        }

        if (!found)
        {
            throw new InvalidOperationException($"State group {nid} does not exist.");
        }
    }
}
