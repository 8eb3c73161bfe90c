namespace Federation.Storage.Dag.Auth;

/// <summary>
/// State sets given as the store's materialised states (slot nid → event nid). An event is in a set exactly when the
/// set's map holds it in the event's own slot, so membership costs one lookup per map, and the conflicted events are
/// found by comparing the maps on the slots that may differ (from <see cref="State.StateDifference"/>), without
/// building or scanning 100k-entry sets.
/// </summary>
internal sealed class StateMapsView : IStateSetsView
{
    private readonly IReadOnlyList<Dictionary<long, long>> maps;
    private readonly Func<long, long> slotOf;
    private readonly List<long>[] conflicted;

    /// <param name="maps">The states.</param>
    /// <param name="candidateSlots">Every slot where the states may differ.</param>
    /// <param name="slotOf">The slot of an event (0 for a non-state event), from the auth graph.</param>
    public StateMapsView(IReadOnlyList<Dictionary<long, long>> maps, IEnumerable<long> candidateSlots, Func<long, long> slotOf)
    {
        this.maps = maps;
        this.slotOf = slotOf;
        conflicted = [.. maps.Select(_ => new List<long>())];
        foreach (var slot in candidateSlots)
        {
            var first = maps[0].TryGetValue(slot, out var firstNid) ? firstNid : 0;
            if (first != 0 && InAllMaps(slot, first))
            {
                continue;
            }

            for (var i = 0; i < maps.Count; i++)
            {
                if (maps[i].TryGetValue(slot, out var nid))
                {
                    conflicted[i].Add(nid);
                }
            }
        }
    }

    public int Count => maps.Count;

    public bool InAll(long nid)
    {
        var slot = slotOf(nid);
        return slot != 0 && InAllMaps(slot, nid);
    }

    public IEnumerable<long> Conflicted(int set) => conflicted[set];

    private bool InAllMaps(long slot, long nid)
    {
        foreach (var map in maps)
        {
            if (!map.TryGetValue(slot, out var held) || held != nid)
            {
                return false;
            }
        }

        return true;
    }
}
