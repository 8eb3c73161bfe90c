using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;
using Federation.Resync.Rooms;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Reconciliation;

/// <summary>
/// The periodic exchange: every poll it refreshes each room's resident servers as peers and reconciles the recent
/// window (<see cref="ReconciliationOptions.Window"/> ending <see cref="ReconciliationOptions.WindowEndOffset"/> ago)
/// with each peer that is due, one at a time. It finds forks whose tips never reached us and events lost in transit,
/// which nothing else would look for in a quiet room.
/// </summary>
/// <remarks>The store and what uses it are resolved at each pass: the service is created before the database is started.</remarks>
public sealed partial class AntiEntropyService(
    IServiceProvider services,
    ReconciliationPeers peers,
    ServerIdentity identity,
    IOptions<ReconciliationOptions> options,
    TimeProvider time,
    ILogger<AntiEntropyService> logger) : PeriodicPassService
{
    /// <summary>One pass: refresh peers, then reconcile with every due one.</summary>
    /// <returns>The reports of the exchanges made.</returns>
    public async Task<IReadOnlyList<ReconciliationReport>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<DagStore>();
        var reconciler = services.GetRequiredService<EventSetReconciler>();
        var members = services.GetRequiredService<JoinedMembers>();
        foreach (var room in await store.GetRoomsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (RoomVersion.TryGet(room.RoomVersion, out var version))
            {
                peers.SetResidents(
                    room.RoomId, await members.OtherServersAsync(room.RoomId, version, identity.ServerName, cancellationToken).ConfigureAwait(false));
            }
        }

        var reports = new List<ReconciliationReport>();
        foreach (var due in peers.Due())
        {
            var end = time.GetUtcNow() - options.Value.WindowEndOffset;
            var scope = ReconcileScope.Window((end - options.Value.Window).ToUnixTimeMilliseconds(), end.ToUnixTimeMilliseconds());
            var report = await reconciler.ReconcileAsync(due.RoomId, due.Server, scope, cancellationToken).ConfigureAwait(false);
            if (report.Status == ReconciliationStatus.Unsupported)
            {
                peers.MarkUnsupported(due.Server);
            }

            peers.Exchanged(due.RoomId, due.Server);
            reports.Add(report);
        }

        return reports;
    }

    protected override TimeProvider Time => time;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override bool Enabled => options.Value.PeriodicEnabled;

    protected override Task PassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogPassFailed(logger, exception);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "A periodic reconciliation pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
