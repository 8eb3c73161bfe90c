using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Divergence;

/// <summary>
/// Probes rooms for state divergence in the background: every <see cref="ResyncOptions.DivergenceProbeInterval"/>,
/// the next <see cref="ResyncOptions.RoomsPerProbeCycle"/> rooms in turn. A failing probe is logged and the cycle goes
/// on; nothing it finds changes state. The store is resolved when the loop starts, after the database start-up (hosted
/// services are all constructed before any starts).
/// </summary>
public sealed partial class DivergenceProbeService(
    IServiceProvider services, IOptions<ResyncOptions> options, TimeProvider time, ILogger<DivergenceProbeService> logger)
    : BackgroundService
{
    private int next;

    /// <summary>Runs one cycle (the background loop's step; callable directly).</summary>
    public async Task RunCycleAsync(CancellationToken cancellationToken)
    {
        var detector = services.GetRequiredService<DivergenceDetector>();
        var rooms = await services.GetRequiredService<DagStore>().GetRoomsAsync(cancellationToken).ConfigureAwait(false);
        var count = Math.Min(rooms.Count, options.Value.RoomsPerProbeCycle);
        for (var i = 0; i < count; i++)
        {
            var room = rooms[(next + i) % rooms.Count].RoomId;
            try
            {
                await detector.ProbeAsync(room, probeEvent: null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogProbeFailed(logger, e, room);
            }
        }

        next = rooms.Count == 0 ? 0 : (next + count) % rooms.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DivergenceProbeEnabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.DivergenceProbeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            await RunCycleAsync(stoppingToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Divergence probe of room {RoomId} failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, string roomId);
}
