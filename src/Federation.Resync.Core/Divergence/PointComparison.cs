namespace Federation.Resync.Core.Divergence;

/// <summary>How a peer's state after one event compares with ours.</summary>
public enum PointComparison
{
    /// <summary>Same digest.</summary>
    Agree,

    /// <summary>Another digest.</summary>
    Differ,

    /// <summary>The peer holds no state there: it never got (or never accepted into its timeline) the event. For the
    /// search this is a difference, and often the answer ("server Y never saw the ban X").</summary>
    NotHeld,

    /// <summary>No usable answer: the search stops, inconclusive.</summary>
    Failed,
}
