namespace Federation.Storage.Dag.Auth;

/// <summary>State sets given as sets of event nids.</summary>
internal sealed class EventSetsView(IReadOnlyList<HashSet<long>> sets) : IStateSetsView
{
    public int Count => sets.Count;

    public bool InAll(long nid)
    {
        foreach (var set in sets)
        {
            if (!set.Contains(nid))
            {
                return false;
            }
        }

        return true;
    }

    public IEnumerable<long> Conflicted(int set) => sets[set].Where(nid => !InAll(nid));
}
