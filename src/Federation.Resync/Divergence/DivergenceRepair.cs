using Federation.Resync.Core.Divergence;

namespace Federation.Resync.Divergence;

/// <summary>
/// What the automatic repair of a <see cref="DivergenceClass.WeAreMinority"/> probe did: the events we lacked were
/// fetched from majority servers and ingested through the normal checks, then our current state was compared again.
/// </summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="FromTs">Start of the reconciled window (<c>origin_server_ts</c>, inclusive).</param>
/// <param name="UntilTs">End of the window (exclusive); null when it is open (the missing event may be newer than the
/// probe event).</param>
/// <param name="Attempts">Reconciliations made, in order.</param>
/// <param name="VerdictAfter">Our current state against the majority servers' current states after the repair; null
/// when nothing was fetched or the re-probe was not made.</param>
public sealed record DivergenceRepair(
    DivergenceRepairOutcome Outcome, long FromTs, long? UntilTs, IReadOnlyList<RepairAttempt> Attempts, DivergenceVerdict? VerdictAfter);
