namespace Federation.Resync.Reconciliation;

public enum ReconciliationStatus
{
    /// <summary>Every range settled; what we lacked was downloaded and ingested (up to the per-run cap).</summary>
    Completed,

    /// <summary>The round, byte or time budget ran out first; what was learnt so far was acted on.</summary>
    Incomplete,

    /// <summary>The peer does not serve the endpoint (404, 405, 501).</summary>
    Unsupported,

    /// <summary>The peer failed or answered something unreadable.</summary>
    Failed,

    /// <summary>We do not hold the room.</summary>
    UnknownRoom,
}
