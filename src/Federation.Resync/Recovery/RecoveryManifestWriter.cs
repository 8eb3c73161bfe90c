using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Recovery;

/// <summary>
/// Keeps the manifest file current: written once the rooms at start-up are rebuilt (so a half-rebuilt start does not
/// drop rooms), then every <see cref="ResyncOptions.RecoveryManifestInterval"/>.
/// </summary>
/// <remarks>Hosted services are created before the database starts, so the builder, which reads it, is resolved when
/// first used.</remarks>
public sealed partial class RecoveryManifestWriter(
    IServiceProvider services,
    RoomRecoveryService recovery,
    IOptions<ResyncOptions> options,
    TimeProvider time,
    ILogger<RecoveryManifestWriter> logger) : BackgroundService
{
    private readonly SemaphoreSlim _writing = new(1, 1);

    /// <summary>Builds and writes the manifest now; returns what was written.</summary>
    public async Task<RecoveryManifest> WriteNowAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.RecoveryManifestPath;
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var previous = await RecoveryManifestFile.ReadAsync(path, cancellationToken).ConfigureAwait(false);
            var manifest = await services.GetRequiredService<RecoveryManifestBuilder>().BuildAsync(previous, cancellationToken).ConfigureAwait(false);
            await RecoveryManifestFile.WriteAsync(path, manifest, cancellationToken).ConfigureAwait(false);
            LogWritten(logger, path, manifest.Rooms.Count);
            return manifest;
        }
        finally
        {
            _writing.Release();
        }
    }

    public override void Dispose()
    {
        _writing.Dispose();
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RecoveryManifestPath.Length == 0)
        {
            return;
        }

        await recovery.Completion.WaitAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(options.Value.RecoveryManifestInterval, time);
        do
        {
            try
            {
                await WriteNowAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or Npgsql.NpgsqlException)
            {
                LogWriteFailed(logger, options.Value.RecoveryManifestPath, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 9400, Level = LogLevel.Debug, Message = "Recovery manifest {Path} written with {Rooms} rooms")]
    private static partial void LogWritten(ILogger logger, string path, int rooms);

    [LoggerMessage(EventId = 9401, Level = LogLevel.Error, Message = "Recovery manifest {Path} could not be written")]
    private static partial void LogWriteFailed(ILogger logger, string path, Exception exception);
}
