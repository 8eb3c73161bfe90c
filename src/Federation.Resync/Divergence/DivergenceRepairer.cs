using Federation.Ingest;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Reconciliation;
using Federation.Resync.Reconciliation;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Divergence;

/// <summary>
/// Weak-sync repair (docs/resync.md, "Weak-sync repair"): when a probe finds a strict majority of resident servers
/// holding another state than ours, reconciles the divergent region's events with up to
/// <see cref="ResyncOptions.DivergenceRepairPeers"/> majority servers, so what we lacked is downloaded and ingested with
/// the normal checks, then compares our current state with theirs once more. Our state changes only by ingesting
/// events: a remote state or digest is never adopted.
/// </summary>
public sealed partial class DivergenceRepairer(
    DagStore store,
    EventSetReconciler reconciler,
    ReconciliationPeers peers,
    CurrentFingerprintReader current,
    RemoteCurrentDigests remotes,
    RepairBudget budget,
    IOptions<ResyncOptions> options,
    TimeProvider time,
    ILogger<DivergenceRepairer> logger)
{
    // Without a bisection bound the divergence is searched for in the last day.
    private static readonly TimeSpan UnboundedWindow = TimeSpan.FromDays(1);

    /// <summary>Repairs the room of a <see cref="DivergenceClass.WeAreMinority"/> report; null when the report is of
    /// another class, repair is off, or the room's allowance is used up.</summary>
    public async Task<DivergenceRepair?> RepairAsync(DivergenceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var settings = options.Value;
        var majority = report.Verdict.MajorityServers;
        if (!settings.DivergenceRepairEnabled || report.Verdict.Class != DivergenceClass.WeAreMinority || majority.Count == 0)
        {
            return null;
        }

        if (!budget.TryTake(report.RoomId))
        {
            LogSkipped(logger, report.RoomId);
            return null;
        }

        var (fromTs, untilTs) = await WindowAsync(report, cancellationToken).ConfigureAwait(false);
        var scope = new ReconcileScope(fromTs, untilTs);
        var candidates = majority
            .OrderBy(server => string.Equals(server, report.BisectedPeer, StringComparison.Ordinal) ? 0 : 1)
            .Where(server => !peers.IsUnsupported(server))
            .Take(settings.DivergenceRepairPeers)
            .ToList();
        var attempts = new List<RepairAttempt>();
        foreach (var peer in candidates)
        {
            var reconciled = await reconciler.ReconcileAsync(report.RoomId, peer, scope, cancellationToken).ConfigureAwait(false);
            if (reconciled.Status == ReconciliationStatus.Unsupported)
            {
                peers.MarkUnsupported(peer);
            }

            var stored = reconciled.Ingested.Count(i => i.Outcome.Disposition != PduDisposition.Dropped);
            attempts.Add(new RepairAttempt(peer, reconciled.Status, reconciled.NeedCount, stored, reconciled.Failure));
            if (reconciled.Status is ReconciliationStatus.Completed or ReconciliationStatus.Incomplete)
            {
                break;
            }
        }

        var repair = await JudgeAsync(report, fromTs, untilTs, attempts, cancellationToken).ConfigureAwait(false);
        DivergenceMetrics.RecordRepair(repair.Outcome);
        LogRepaired(logger, report.RoomId, DivergenceMetrics.Name(repair.Outcome), attempts.Count, attempts.Sum(a => a.Stored));
        return repair;
    }

    private async Task<DivergenceRepair> JudgeAsync(
        DivergenceReport report, long fromTs, long? untilTs, List<RepairAttempt> attempts, CancellationToken cancellationToken)
    {
        if (!attempts.Exists(a => a.Status is ReconciliationStatus.Completed or ReconciliationStatus.Incomplete))
        {
            var outcome = attempts.TrueForAll(a => a.Status == ReconciliationStatus.Unsupported)
                ? DivergenceRepairOutcome.Unsupported
                : DivergenceRepairOutcome.Failed;
            return new DivergenceRepair(outcome, fromTs, untilTs, attempts, VerdictAfter: null);
        }

        // The stored state after the probe event never changes, so the re-probe compares current states: ours (the
        // resolution of our extremities, now including what was ingested) against the majority servers' own.
        var ours = await current.ReadAsync(report.RoomId, cancellationToken).ConfigureAwait(false);
        if (ours is null)
        {
            return new DivergenceRepair(DivergenceRepairOutcome.Failed, fromTs, untilTs, attempts, VerdictAfter: null);
        }

        var majority = report.Verdict.MajorityServers;
        var answers = await Task.WhenAll(majority.Select(server => remotes.AskAsync(server, report.RoomId, cancellationToken))).ConfigureAwait(false);
        var after = DivergenceClassifier.Classify(ours.Fingerprint, answers, Math.Min(options.Value.MinimumPeerDigests, majority.Count));
        var result = after.Class switch
        {
            DivergenceClass.InSync or DivergenceClass.PeerLagging => DivergenceRepairOutcome.Converged,
            DivergenceClass.InsufficientAnswers => DivergenceRepairOutcome.Failed,
            _ when attempts.Sum(a => a.NeedCount) == 0 => DivergenceRepairOutcome.NothingToFetch,
            _ => DivergenceRepairOutcome.StillMinority,
        };
        return new DivergenceRepair(result, fromTs, untilTs, attempts, after);
    }

    /// <summary>
    /// The divergent region: from the last agreeing event (or the first divergent one) to just after the probe event,
    /// left open when the peer holds the first divergent event too (the event we lack may be a fork tip newer than
    /// the probe); the last day when the bisection did not end on a found event.
    /// </summary>
    private async Task<(long FromTs, long? UntilTs)> WindowAsync(DivergenceReport report, CancellationToken cancellationToken)
    {
        var bisection = report.Bisection;
        var start = bisection?.Outcome == BisectionOutcome.Found ? bisection.LastAgreeing ?? bisection.FirstDivergent : null;
        var known = (await store.GetEventsAsync(report.RoomId, [.. new[] { start, report.ProbeEvent }.OfType<string>()], cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.EventId, e => Math.Max(0, e.Pdu.OriginServerTs), StringComparer.Ordinal);
        if (start is null || !known.TryGetValue(start, out var fromTs))
        {
            return (Math.Max(0, (time.GetUtcNow() - UnboundedWindow).ToUnixTimeMilliseconds()), null);
        }

        return bisection!.PeerLacksEvent && known.TryGetValue(report.ProbeEvent, out var probeTs) ? (fromTs, Math.Max(fromTs, probeTs + 1)) : (fromTs, null);
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "Room {RoomId}: in the minority again, but its repair allowance is used up; not repaired")]
    private static partial void LogSkipped(ILogger logger, string roomId);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning,
        Message = "Room {RoomId}: repair after a minority verdict ended {Outcome} ({Attempts} reconciliations, {Stored} events stored)")]
    private static partial void LogRepaired(ILogger logger, string roomId, string outcome, int attempts, int stored);
}
