using Federation.Ingest;
using Federation.Ingest.Gaps;
using Federation.Resync.Core.Reconciliation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Reconciliation;

/// <summary>
/// Closes a large gap by reconciling the room's events in the gap's time window with the server that sent the event
/// (docs/resync.md, "Using it from the gap path"): the reconciler downloads what we lack and ingests it in order, so the
/// gap's events are stored with the state normal ingest gives them instead of across a hole. Off with
/// <see cref="ReconciliationOptions.UseForLargeGaps"/>; a server that does not serve the endpoint is not asked again
/// within <see cref="ReconciliationOptions.UnsupportedBackOff"/>.
/// </summary>
public sealed partial class ReconcilingGapFiller(
    IServiceProvider services,
    ReconciliationPeers peers,
    IOptions<ReconciliationOptions> options,
    ILogger<ReconcilingGapFiller> logger) : ILargeGapFiller
{
    public async Task<bool> FillAsync(string origin, string roomId, long fromTs, long untilTs, CancellationToken cancellationToken)
    {
        if (!options.Value.UseForLargeGaps || peers.IsUnsupported(origin))
        {
            return false;
        }

        // Resolved on use, not injected: the reconciler ingests through the PduIngestor, which holds this filler.
        var reconciler = services.GetRequiredService<EventSetReconciler>();
        var report = await reconciler.ReconcileAsync(roomId, origin, ReconcileScope.Window(fromTs, untilTs), cancellationToken).ConfigureAwait(false);
        if (report.Status == ReconciliationStatus.Unsupported)
        {
            peers.MarkUnsupported(origin);
        }

        var stored = report.Ingested.Count(i => i.Outcome.Disposition != PduDisposition.Dropped);
        LogFilled(logger, roomId, origin, fromTs, untilTs, report.Status, stored);
        return stored > 0;
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information,
        Message = "Large gap in {RoomId}: reconciled [{FromTs}, {UntilTs}) with {Origin}: {Status}, {Stored} events stored")]
    private static partial void LogFilled(ILogger logger, string roomId, string origin, long fromTs, long untilTs, ReconciliationStatus status, int stored);
}
