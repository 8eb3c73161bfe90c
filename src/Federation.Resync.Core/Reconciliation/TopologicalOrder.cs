using Federation.Protocol.Events;

namespace Federation.Resync.Core.Reconciliation;

/// <summary>Orders events so that each comes after its prev events among them: by depth, and by the prev edges where a
/// depth lies (a remote sets depth itself).</summary>
public static class TopologicalOrder
{
    public static IReadOnlyList<T> Sort<T>(IReadOnlyCollection<T> events, Func<T, Pdu> pduOf)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(pduOf);
        var byId = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in events)
        {
            byId.TryAdd(pduOf(item).EventId, item);
        }

        var waitingOn = new Dictionary<string, int>(StringComparer.Ordinal);
        var children = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (id, item) in byId)
        {
            var prevs = pduOf(item).PrevEvents.Distinct(StringComparer.Ordinal).Where(byId.ContainsKey).ToList();
            waitingOn[id] = prevs.Count;
            foreach (var prev in prevs)
            {
                (children.TryGetValue(prev, out var list) ? list : children[prev] = []).Add(id);
            }
        }

        var ready = new PriorityQueue<string, (long Depth, long Ts, string Id)>(Comparer<(long Depth, long Ts, string Id)>.Create(Compare));
        foreach (var (id, count) in waitingOn.Where(w => w.Value == 0))
        {
            ready.Enqueue(id, KeyOf(pduOf(byId[id])));
        }

        var ordered = new List<T>(byId.Count);
        while (ready.TryDequeue(out var id, out _))
        {
            ordered.Add(byId[id]);
            foreach (var child in children.GetValueOrDefault(id) ?? [])
            {
                if (--waitingOn[child] == 0)
                {
                    ready.Enqueue(child, KeyOf(pduOf(byId[child])));
                }
            }
        }

        // A prev cycle cannot be signed into existence (ids are hashes), but origin-chosen ids could claim one: append
        // what is left by depth, the ingest pipeline refuses it anyway.
        ordered.AddRange(byId.Where(e => waitingOn[e.Key] > 0).OrderBy(e => KeyOf(pduOf(e.Value)), Comparer<(long, long, string)>.Create(Compare)).Select(e => e.Value));
        return ordered;
    }

    private static (long Depth, long Ts, string Id) KeyOf(Pdu pdu) => (pdu.Depth, pdu.OriginServerTs, pdu.EventId);

    private static int Compare((long Depth, long Ts, string Id) x, (long Depth, long Ts, string Id) y)
    {
        var c = x.Depth.CompareTo(y.Depth);
        if (c == 0)
        {
            c = x.Ts.CompareTo(y.Ts);
        }

        return c != 0 ? c : string.CompareOrdinal(x.Id, y.Id);
    }
}
