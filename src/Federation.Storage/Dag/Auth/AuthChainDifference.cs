namespace Federation.Storage.Dag.Auth;

/// <summary>
/// The auth chain difference of state sets: events in the auth chain of some set but not of all, where a set's auth
/// chain includes the set's own events (Synapse's definition, which the resolver follows). Computed from the events
/// that differ between the sets, never from the whole state:
/// <list type="number">
/// <item>Walk back from each set's conflicted events through auth events, marking each event with the sets that reach
/// it, and never entering an event every set holds (it and its ancestors are in every chain).</item>
/// <item>An event marked by every set is in every chain. An event marked by only some is in the difference unless it
/// has a descendant that every set holds (it is then in every chain through that descendant); that is checked by a
/// forward search over child edges, remembered across events.</item>
/// </list>
/// The walks cover the conflicted events' ancestors up to the common state: membership histories and the power-level
/// chain, not the room. Must run inside <see cref="RoomAuthGraph.Read{T}"/>.
/// </summary>
internal static class AuthChainDifference
{
    private const byte Searching = 1;
    private const byte Yes = 2;
    private const byte No = 3;

    public const int MaxSets = 64;

    public static List<long> Compute(RoomAuthGraph graph, IStateSetsView sets)
    {
        if (sets.Count > MaxSets)
        {
            throw new ArgumentException($"At most {MaxSets} state sets (an event has at most 20 prev events).", nameof(sets));
        }

        var reachedBy = new Dictionary<long, ulong>();
        var pending = new Stack<long>();
        for (var set = 0; set < sets.Count; set++)
        {
            var bit = 1UL << set;
            foreach (var nid in sets.Conflicted(set))
            {
                pending.Push(nid);
            }

            while (pending.TryPop(out var nid))
            {
                if (!graph.IsHeld(nid) || sets.InAll(nid))
                {
                    continue;
                }

                var marks = reachedBy.GetValueOrDefault(nid);
                if ((marks & bit) != 0)
                {
                    continue;
                }

                reachedBy[nid] = marks | bit;
                foreach (var parent in graph.AuthEventsOf(nid))
                {
                    pending.Push(parent);
                }
            }
        }

        var all = sets.Count == MaxSets ? ulong.MaxValue : (1UL << sets.Count) - 1;
        var dominated = new Dictionary<long, byte>();
        var difference = new List<long>();
        foreach (var (nid, marks) in reachedBy)
        {
            if (marks != all && !HasDescendantInAll(graph, sets, nid, dominated))
            {
                difference.Add(nid);
            }
        }

        return difference;
    }

    /// <summary>Whether some event that every set holds has <paramref name="start"/> in its auth chain. Depth-first over
    /// child edges; answers are remembered for every event searched (an auth graph has no cycles; one that did would
    /// only make the answer for its members "no").</summary>
    private static bool HasDescendantInAll(RoomAuthGraph graph, IStateSetsView sets, long start, Dictionary<long, byte> status)
    {
        var known = status.GetValueOrDefault(start);
        if (known != 0)
        {
            return known == Yes;
        }

        var stack = new List<(long Nid, int Next)> { (start, 0) };
        status[start] = Searching;
        while (stack.Count > 0)
        {
            var top = stack.Count - 1;
            var (nid, next) = stack[top];
            var children = graph.ChildrenOf(nid);
            if (next >= children.Count)
            {
                status[nid] = No;
                stack.RemoveAt(top);
                continue;
            }

            stack[top] = (nid, next + 1);
            var child = children[next];
            var childStatus = status.GetValueOrDefault(child);
            if (childStatus == Yes || (childStatus == 0 && sets.InAll(child)))
            {
                foreach (var (onPath, _) in stack)
                {
                    status[onPath] = Yes;
                }

                return true;
            }

            if (childStatus == 0)
            {
                status[child] = Searching;
                stack.Add((child, 0));
            }
        }

        return false;
    }
}
