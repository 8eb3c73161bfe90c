using System.Collections.Concurrent;

namespace Federation.Storage.Dag.State;

/// <summary>
/// Committed state groups (rows and materialised states) kept in memory. Groups never change once committed, so no
/// invalidation is needed; only size is bounded, crudely: a cache over its budget of entries is emptied.
/// </summary>
internal sealed class StateGroupCache(long maxEntries)
{
    private readonly ConcurrentDictionary<long, StateGroupRow> rows = new();
    private readonly ConcurrentDictionary<long, ResolvedState> resolved = new();
    private long rowEntries;
    private long resolvedEntries;

    public bool TryGetRow(long nid, out StateGroupRow row) => rows.TryGetValue(nid, out row!);

    public void AddRow(StateGroupRow row)
    {
        if (rows.TryAdd(row.Nid, row) && Interlocked.Add(ref rowEntries, row.Slots.Length + 1) > maxEntries)
        {
            rows.Clear();
            Interlocked.Exchange(ref rowEntries, 0);
        }
    }

    public bool TryGetResolved(long nid, out ResolvedState state) => resolved.TryGetValue(nid, out state!);

    public void AddResolved(long nid, ResolvedState state)
    {
        if (resolved.TryAdd(nid, state) && Interlocked.Add(ref resolvedEntries, state.Count + 1) > maxEntries)
        {
            resolved.Clear();
            Interlocked.Exchange(ref resolvedEntries, 0);
        }
    }
}
