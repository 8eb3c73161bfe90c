using Federation.Client.Reconciliation;
using Federation.Ingest;
using Federation.Ingest.Remote;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Reconciliation;

/// <summary>
/// Reconciles the set of events we hold for a room with one peer: exchanges Negentropy messages until every range is
/// settled (within the round, byte and time budget), downloads the events we lack with <c>/event</c> (verified as
/// every pulled event is), and hands them to the ingest pipeline oldest first in topological order, so each is checked
/// and stored with its state like an event pulled with <c>/get_missing_events</c>. Events the peer lacks are only
/// reported: the peer pulls them itself when it reconciles with us.
/// </summary>
public sealed partial class EventSetReconciler(
    DagStore store,
    ReconcileClient client,
    RemoteRoomReader remote,
    PduIngestor ingestor,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<EventSetReconciler> logger)
{
    /// <summary>The largest integer canonical JSON carries (2^53 - 1): an open window end.</summary>
    private const long MaxJsonInteger = 9_007_199_254_740_991;

    public async Task<ReconciliationReport> ReconcileAsync(string roomId, string peer, ReconcileScope scope, CancellationToken callerToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var limits = options.Value;
        using var deadline = new CancellationTokenSource(limits.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, deadline.Token);
        var cancellationToken = linked.Token;
        var report = new ReconciliationReport { RoomId = roomId, Peer = peer, Status = ReconciliationStatus.Completed };
        try
        {
            if (await store.GetReconciliationItemsAsync(roomId, scope, cancellationToken).ConfigureAwait(false) is not var (version, items))
            {
                return report with { Status = ReconciliationStatus.UnknownRoom };
            }

            var (exchanged, differences) = await ExchangeAsync(report, items, scope, limits, cancellationToken).ConfigureAwait(false);
            report = exchanged;
            if (report.Status is ReconciliationStatus.Unsupported or ReconciliationStatus.Failed)
            {
                return report;
            }

            var have = differences.Have.Distinct().ToList();
            var need = differences.Need.Distinct().ToList();
            report = report with
            {
                HaveCount = have.Count,
                HaveEventIds = [.. have.Select(id => RoomEventItems.EventIdOf(id, version.EventIdFormat)).OfType<string>()],
                NeedCount = need.Count,
            };
            var needIds = need.Select(id => RoomEventItems.EventIdOf(id, version.EventIdFormat)).OfType<string>().Take(limits.MaxEventsPerRun).ToList();
            var downloaded = await DownloadAsync(peer, roomId, version, needIds, limits, cancellationToken).ConfigureAwait(false);
            var ordered = TopologicalOrder.Sort(downloaded, e => e.Pdu);
            var ingested = await ingestor.ProcessPulledAsync(peer, ordered, cancellationToken).ConfigureAwait(false);
            report = report with { DownloadFailures = needIds.Count - downloaded.Count, Ingested = ingested };
            var stored = ingested.Count(i => i.Outcome.Disposition != PduDisposition.Dropped);
            LogReconciled(logger, roomId, peer, report.Status, report.Rounds, report.BytesSent + report.BytesReceived, report.HaveCount, report.NeedCount, stored);
            return report;
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            return report with { Status = ReconciliationStatus.Incomplete, Failure = $"Out of time after {limits.Timeout}" };
        }
    }

    private async Task<(ReconciliationReport Report, IdDifferences Differences)> ExchangeAsync(
        ReconciliationReport report, SortedItems items, ReconcileScope scope, ReconciliationOptions limits, CancellationToken cancellationToken)
    {
        var initiator = new ReconciliationInitiator(items, limits.MaxMessageBytes);
        (long, long)? window = scope.FromTs is null && scope.UntilTs is null ? null : (scope.FromTs ?? 0, scope.UntilTs ?? MaxJsonInteger);
        var message = initiator.Initiate();
        while (message is not null)
        {
            if (report.Rounds >= limits.MaxRounds || report.BytesSent + report.BytesReceived >= limits.MaxTotalBytes)
            {
                return (report with { Status = ReconciliationStatus.Incomplete, Failure = "The round or byte budget ran out" }, initiator.Differences);
            }

            var answer = await client.SendAsync(report.Peer, report.RoomId, window, message, cancellationToken).ConfigureAwait(false);
            report = report with
            {
                Rounds = report.Rounds + 1,
                BytesSent = report.BytesSent + answer.RequestBytes,
                BytesReceived = report.BytesReceived + answer.ResponseBytes,
            };
            if (answer.Message is null)
            {
                var status = answer.Unsupported ? ReconciliationStatus.Unsupported : ReconciliationStatus.Failed;
                return (report with { Status = status, Failure = answer.Failure }, initiator.Differences);
            }

            try
            {
                message = initiator.Reconcile(answer.Message);
            }
            catch (ReconciliationFormatException e)
            {
                return (report with { Status = ReconciliationStatus.Failed, Failure = "Unreadable answer: " + e.Message }, initiator.Differences);
            }
        }

        return (report, initiator.Differences);
    }

    private async Task<List<VerifiedEvent>> DownloadAsync(
        string peer, string roomId, RoomVersion version, List<string> eventIds, ReconciliationOptions limits, CancellationToken cancellationToken)
    {
        var downloaded = new List<VerifiedEvent>(eventIds.Count);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = limits.DownloadConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(eventIds, parallel, async (eventId, token) =>
        {
            if (await remote.GetEventAsync(peer, roomId, version, eventId, token).ConfigureAwait(false) is { } verified)
            {
                lock (downloaded)
                {
                    downloaded.Add(verified);
                }
            }
        }).ConfigureAwait(false);
        return downloaded;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "Reconciled {RoomId} with {Peer}: {Status} in {Rounds} rounds, {Bytes} bytes; we have {Have} it lacks, it has {Need} we lacked, {Stored} stored")]
    private static partial void LogReconciled(
        ILogger logger, string roomId, string peer, ReconciliationStatus status, int rounds, long bytes, int have, int need, int stored);
}
