namespace Federation.Storage.Dag.State;

/// <summary>Where states of the same room can differ, found from their group chains rather than their contents.</summary>
internal static class StateDifference
{
    /// <summary>
    /// Every slot that may hold different events in the states of <paramref name="chains"/> (each a group's rows down
    /// to its snapshot): the slots of the rows that are not on every chain. A slot whose rows are all shared gets its
    /// value from the same last row in every state, so it cannot differ. For forks of a big room this is the forks'
    /// own changes plus the level deltas they wrote, not the 100k slots of the state.
    /// </summary>
    public static HashSet<long> CandidateSlots(IReadOnlyList<List<StateGroupRow>> chains)
    {
        var onChains = new Dictionary<long, int>();
        foreach (var chain in chains)
        {
            foreach (var row in chain)
            {
                onChains[row.Nid] = onChains.GetValueOrDefault(row.Nid) + 1;
            }
        }

        var slots = new HashSet<long>();
        foreach (var chain in chains)
        {
            foreach (var row in chain)
            {
                if (onChains[row.Nid] < chains.Count)
                {
                    slots.UnionWith(row.Slots);
                }
            }
        }

        return slots;
    }
}
