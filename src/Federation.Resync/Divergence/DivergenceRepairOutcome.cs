namespace Federation.Resync.Divergence;

/// <summary>How an automatic repair of a room where we were in the minority ended.</summary>
public enum DivergenceRepairOutcome
{
    /// <summary>After ingesting what the majority held, our current state digest equals theirs.</summary>
    Converged,

    /// <summary>Events were fetched, yet our current state still differs from the majority's.</summary>
    StillMinority,

    /// <summary>The majority servers hold no event of the window that we lack: the difference is in resolution, not
    /// in events (an alert, never repaired by adopting their state).</summary>
    NothingToFetch,

    /// <summary>No majority server serves set reconciliation.</summary>
    Unsupported,

    /// <summary>Every reconciliation failed, or the re-probe could not be made.</summary>
    Failed,
}
