using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Resync.Core.Divergence;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Divergence;

/// <summary>
/// Compares our state fingerprint of a room with its resident servers' at one event (the "weak / hard sync" check of
/// de-MLS recovery, over MSC4500 accumulators), bisects to the first divergent event when they differ, and records
/// a report (in memory and in the database). Remote digests and majorities never replace our own state resolution:
/// the only change that can follow is the repair of a minority verdict, which ingests events through the normal
/// checks (<see cref="DivergenceRepairer"/>).
/// </summary>
public sealed partial class DivergenceDetector(
    DagStore store,
    RemoteFingerprints remotes,
    DivergenceReports reports,
    DivergenceReportStore reportStore,
    DivergenceRepairer repairer,
    ServerIdentity identity,
    IOptions<ResyncOptions> options,
    TimeProvider time,
    ILogger<DivergenceDetector> logger)
{
    // Recent events searched for each peer's latest event.
    private const int RecentEvents = 200;

    private int rotation;

    /// <summary>
    /// Probes <paramref name="roomId"/> at <paramref name="probeEvent"/>, or (null) at the oldest of the latest events
    /// the asked peers sent us: every asked peer most likely holds it, while our newest extremity may still be in
    /// flight to them. Null when we hold no state of the room or have no peer in it.
    /// </summary>
    public async Task<DivergenceReport?> ProbeAsync(string roomId, string? probeEvent, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var extremities = await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (extremities.Count == 0)
        {
            return null;
        }

        var peers = await ResidentPeersAsync(roomId, extremities[0], settings.PeersPerProbe, cancellationToken).ConfigureAwait(false);
        if (peers.Count == 0)
        {
            return null;
        }

        var probe = probeEvent ?? await LatestCommonEventAsync(roomId, peers, cancellationToken).ConfigureAwait(false) ?? extremities[0];
        var ours = await store.GetStateFingerprintAsync(roomId, probe, StatePosition.After, cancellationToken).ConfigureAwait(false);
        if (ours is null)
        {
            return null;
        }

        var answers = await Task.WhenAll(peers.Select(peer => remotes.AskAsync(peer, roomId, probe, cancellationToken))).ConfigureAwait(false);
        var verdict = DivergenceClassifier.Classify(ours.Fingerprint, answers, settings.MinimumPeerDigests);
        DivergenceMetrics.RecordProbe(verdict.Class);

        var against = verdict.Class switch
        {
            DivergenceClass.WeAreMinority => verdict.MajorityServers[0],
            DivergenceClass.PeerLagging or DivergenceClass.NoMajority => verdict.Disagreeing[0],
            _ => null,
        };
        BisectionResult? bisection = null;
        if (against is not null)
        {
            bisection = await DivergenceBisector.FindFirstDivergentAsync(
                probe,
                new StoreDagAncestry(store, roomId),
                (eventId, token) => CompareAsync(roomId, against, eventId, token),
                settings.BisectionMaxProbes,
                settings.BisectionMaxLineLength,
                cancellationToken).ConfigureAwait(false);
            DivergenceMetrics.RecordBisection(bisection);
        }

        var report = new DivergenceReport(roomId, probe, time.GetUtcNow(), verdict, against, bisection);
        reports.Record(report);
        Log(report);
        if (await repairer.RepairAsync(report, cancellationToken).ConfigureAwait(false) is { } repair)
        {
            report = report with { Repair = repair };
            reports.Record(report);
        }

        await reportStore.RecordAsync(report, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private async Task<PointComparison> CompareAsync(string roomId, string peer, string eventId, CancellationToken cancellationToken)
    {
        var ours = await store.GetStateFingerprintAsync(roomId, eventId, StatePosition.After, cancellationToken).ConfigureAwait(false);
        if (ours is null)
        {
            return PointComparison.Failed;
        }

        var theirs = await remotes.AskAsync(peer, roomId, eventId, cancellationToken).ConfigureAwait(false);
        return theirs switch
        {
            { Kind: PeerAnswerKind.Digest, Fingerprint: { } fingerprint } => fingerprint.Digest == ours.Digest ? PointComparison.Agree : PointComparison.Differ,
            { Kind: PeerAnswerKind.NotHeld } => PointComparison.NotHeld,
            _ => PointComparison.Failed,
        };
    }

    /// <summary>Up to <paramref name="count"/> other servers with a user joined after <paramref name="at"/>, taken in
    /// turn across probes so that every resident server is asked over time.</summary>
    private async Task<List<string>> ResidentPeersAsync(string roomId, string at, int count, CancellationToken cancellationToken)
    {
        var state = await store.GetStateAsync(roomId, at, StatePosition.After, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return [];
        }

        var servers = state.Keys
            .Where(slot => slot.Type == EventTypes.Member)
            .Select(slot => MatrixIds.ServerNameOf(slot.StateKey))
            .OfType<string>()
            .Where(server => !string.Equals(server, identity.ServerName, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var start = servers.Count == 0 ? 0 : (int)((uint)Interlocked.Increment(ref rotation) % (uint)servers.Count);
        var peers = new List<string>(count);
        for (var i = 0; i < servers.Count && peers.Count < count; i++)
        {
            var server = servers[(start + i) % servers.Count];
            if (await store.ServerHadJoinedMemberAsync(roomId, at, server, StatePosition.After, cancellationToken).ConfigureAwait(false) == true)
            {
                peers.Add(server);
            }
        }

        return peers;
    }

    private async Task<string?> LatestCommonEventAsync(string roomId, List<string> peers, CancellationToken cancellationToken)
    {
        var recent = await store.GetDeepestEventsAsync(roomId, RecentEvents, cancellationToken).ConfigureAwait(false);
        var latest = peers
            .Select(peer => recent.FirstOrDefault(e => !e.IsOutlier && e.Status == EventStatus.Accepted
                && string.Equals(MatrixIds.ServerNameOf(e.Pdu.Sender), peer, StringComparison.Ordinal)))
            .OfType<StoredEvent>()
            .ToList();
        return latest.Count == 0 ? null : latest.MinBy(e => (e.Pdu.Depth, e.StreamOrdering))!.EventId;
    }

    private void Log(DivergenceReport report)
    {
        var verdict = report.Verdict;
        var first = report.Bisection?.FirstDivergent ?? "-";
        switch (verdict.Class)
        {
            case DivergenceClass.WeAreMinority:
                LogMinority(logger, report.RoomId, report.ProbeEvent, verdict.MajorityServers, first);
                break;
            case DivergenceClass.NoMajority:
                LogNoMajority(logger, report.RoomId, report.ProbeEvent, verdict.Histogram.Count, first);
                break;
            case DivergenceClass.PeerLagging:
                LogLagging(logger, report.RoomId, report.ProbeEvent, verdict.Disagreeing, first);
                break;
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "Room {RoomId}: our state after {EventId} differs from a majority of resident servers ({Servers}); first divergent event {First}")]
    private static partial void LogMinority(ILogger logger, string roomId, string eventId, IReadOnlyList<string> servers, string first);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error,
        Message = "Room {RoomId}: no majority on the state after {EventId} ({Digests} different digests); first divergent event {First}; operator attention needed")]
    private static partial void LogNoMajority(ILogger logger, string roomId, string eventId, int digests, string first);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Room {RoomId}: {Servers} differ from the majority on the state after {EventId}; first divergent event {First}")]
    private static partial void LogLagging(ILogger logger, string roomId, string eventId, IReadOnlyList<string> servers, string first);
}
