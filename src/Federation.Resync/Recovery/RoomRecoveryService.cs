using System.Collections.Concurrent;
using Federation.Protocol.Keys;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Recovery;

/// <summary>
/// At start-up, rebuilds from peers every room of the manifest that the database does not hold — all of them after a
/// database was lost — one room at a time. Until a room is rebuilt this server is not in it as far as the database
/// knows, so PDUs pushed for it are refused per PDU and arrive again through gap filling once it is back. Each rebuilt
/// room's state fingerprint is then compared with its peers'. The server reports ready only once this is done.
/// </summary>
/// <remarks>Hosted services are created before the database starts, so what reads it is resolved when the work
/// begins.</remarks>
public sealed partial class RoomRecoveryService(
    IServiceProvider services,
    ServerIdentity identity,
    IOptions<ResyncOptions> options,
    ILogger<RoomRecoveryService> logger) : BackgroundService
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, RoomRebuildResult> _results = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DivergenceReport> _checks = new(StringComparer.Ordinal);

    /// <summary>Completes once the rooms missing at start-up were tried (at once when there were none).</summary>
    public Task Completion => _completion.Task;

    /// <summary>The result for each room tried since start-up.</summary>
    public IReadOnlyDictionary<string, RoomRebuildResult> Results => _results;

    /// <summary>For each room rebuilt, how its state fingerprint compared with its peers' right after.</summary>
    public IReadOnlyDictionary<string, DivergenceReport> Checks => _checks;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RebuildMissingRoomsAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private async Task RebuildMissingRoomsAsync(CancellationToken stoppingToken)
    {
        var path = options.Value.RecoveryManifestPath;
        if (path.Length == 0 || !options.Value.RebuildMissingRooms)
        {
            return;
        }

        RecoveryManifest? manifest;
        try
        {
            manifest = await RecoveryManifestFile.ReadAsync(path, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogManifestUnreadable(logger, path, e);
            return;
        }

        if (manifest is null)
        {
            return;
        }

        if (manifest.ServerName != identity.ServerName)
        {
            LogOtherServer(logger, path, manifest.ServerName, identity.ServerName);
            return;
        }

        var store = services.GetRequiredService<DagStore>();
        var rebuilder = services.GetRequiredService<RoomRebuilder>();
        var detector = services.GetRequiredService<DivergenceDetector>();
        foreach (var room in manifest.Rooms)
        {
            if (await store.GetRoomVersionAsync(room.RoomId, stoppingToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var result = await rebuilder.RebuildAsync(room, stoppingToken).ConfigureAwait(false);
            _results[room.RoomId] = result;
            if (result.Outcome != RoomRebuildOutcome.Failed
                && await detector.ProbeAsync(room.RoomId, result.Anchors[0], stoppingToken).ConfigureAwait(false) is { } check)
            {
                // The health check of a rebuilt room: its state fingerprint at the event it was rebuilt from, against
                // the peers'. Evidence for the operator; a room out of step is logged, not changed.
                _checks[room.RoomId] = check;
                if (check.Verdict.Class is not (DivergenceClass.InSync or DivergenceClass.PeerLagging))
                {
                    LogCheckFailed(logger, room.RoomId, check.Verdict.Class);
                }
            }
        }
    }

    [LoggerMessage(EventId = 9422, Level = LogLevel.Warning,
        Message = "Room {RoomId} was rebuilt but its state fingerprint does not match its peers' ({Class}); see its divergence report")]
    private static partial void LogCheckFailed(ILogger logger, string roomId, DivergenceClass @class);

    [LoggerMessage(EventId = 9420, Level = LogLevel.Error, Message = "Recovery manifest {Path} could not be read; no room is rebuilt")]
    private static partial void LogManifestUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 9421, Level = LogLevel.Error,
        Message = "Recovery manifest {Path} belongs to {ManifestServer}, not {ServerName}; no room is rebuilt")]
    private static partial void LogOtherServer(ILogger logger, string path, string manifestServer, string serverName);
}
