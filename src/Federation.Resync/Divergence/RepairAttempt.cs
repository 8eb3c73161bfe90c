using Federation.Resync.Reconciliation;

namespace Federation.Resync.Divergence;

/// <summary>One reconciliation made by a repair.</summary>
/// <param name="Peer">The majority server asked.</param>
/// <param name="Status">How the reconciliation ended.</param>
/// <param name="NeedCount">Events of the window it held that we lacked.</param>
/// <param name="Stored">Events ingested and stored (accepted, soft-failed or rejected by our own checks).</param>
/// <param name="Failure">Why it stopped short, in words; null when it completed.</param>
public sealed record RepairAttempt(string Peer, ReconciliationStatus Status, int NeedCount, int Stored, string? Failure);
