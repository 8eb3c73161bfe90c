namespace Federation.Storage.Dag.State;

/// <summary>
/// Where a new state group's delta is based, so that reading any group follows a bounded chain and state is never
/// copied per event. Every group has a height: its parent's plus one (a lineage starts at 0). A group whose height is a
/// multiple of <see cref="Base"/>^3 is a full snapshot. Otherwise, if the height is a multiple of Base^k (k = 2 or 1, the
/// largest), the group is a delta on its ancestor at height − Base^k (which always lies on the parent's chain), holding
/// every change since then; else it is a delta on its parent. A chain therefore takes at most Base − 1 steps at each of
/// the three levels before reaching a full snapshot: <see cref="MaxChainLength"/> rows in all. A change is stored once
/// per level (three times), and a full snapshot is written once per Base^3 = 32,768 groups of a lineage.
/// </summary>
internal static class StateGroupLevels
{
    /// <summary>Steps per level.</summary>
    public const int Base = 32;

    /// <summary>Groups per full snapshot along one lineage (Base^3).</summary>
    public const int FullSnapshotInterval = Base * Base * Base;

    /// <summary>Most rows read to materialise one group: three levels of Base − 1 deltas plus the snapshot.</summary>
    public const int MaxChainLength = (3 * (Base - 1)) + 1;

    /// <summary>The event nid that marks a slot as emptied in a delta.</summary>
    public const long Removed = 0;

    /// <summary>How far below <paramref name="height"/> the group's base lies: 1 (its parent), Base or Base², or 0 for a
    /// full snapshot.</summary>
    public static int BaseDistance(int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (height % FullSnapshotInterval == 0)
        {
            return 0;
        }

        if (height % (Base * Base) == 0)
        {
            return Base * Base;
        }

        return height % Base == 0 ? Base : 1;
    }
}
