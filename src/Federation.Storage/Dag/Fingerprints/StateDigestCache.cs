using System.Collections.Concurrent;

namespace Federation.Storage.Dag.Fingerprints;

/// <summary>Lattices of committed state groups (2 KB each), so deriving a child group needs no read. Groups never
/// change; the cache is emptied when it outgrows its budget.</summary>
internal sealed class StateDigestCache(int maxEntries)
{
    private readonly ConcurrentDictionary<long, CachedFingerprint> entries = new();
    private int count;

    public bool TryGet(long groupNid, out CachedFingerprint fingerprint) => entries.TryGetValue(groupNid, out fingerprint!);

    public void Add(long groupNid, CachedFingerprint fingerprint)
    {
        if (entries.TryAdd(groupNid, fingerprint) && Interlocked.Increment(ref count) > maxEntries)
        {
            entries.Clear();
            Interlocked.Exchange(ref count, 0);
        }
    }
}
