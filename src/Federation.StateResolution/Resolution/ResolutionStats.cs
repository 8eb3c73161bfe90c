namespace Federation.StateResolution.Resolution;

/// <summary>Counters a caller can pass to see what resolutions did (for <c>--stats</c> and benchmarks).</summary>
public sealed class ResolutionStats
{
    /// <summary>Resolutions of two or more state sets that were run.</summary>
    public int Resolutions { get; set; }

    public long ConflictedKeys { get; set; }

    public long AuthDifference { get; set; }

    public long ConflictedSubgraph { get; set; }

    public long FullConflictedSet { get; set; }

    public long PowerEvents { get; set; }

    public long AuthChecks { get; set; }

    /// <summary>
    /// Graph nodes the auth-difference walk, its forward searches and the conflicted-subgraph walk touched: the work
    /// measure that must not grow with the size of the room at a fixed conflict.
    /// </summary>
    public long NodesVisited { get; set; }

    /// <summary>Stopwatch ticks spent splitting the sets into unconflicted and conflicted state.</summary>
    public long SplitTicks { get; set; }

    /// <summary>Stopwatch ticks spent on the auth difference and conflicted subgraph.</summary>
    public long AuthDifferenceTicks { get; set; }

    /// <summary>Stopwatch ticks spent on the reverse topological power sort and the mainline sort.</summary>
    public long SortTicks { get; set; }

    /// <summary>Stopwatch ticks spent in iterative auth checks and building the result.</summary>
    public long ReplayTicks { get; set; }
}
