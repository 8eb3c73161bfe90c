using Federation.Ingest.StateHashes;
using Federation.Resync.Divergence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.StateHashes;

/// <summary>
/// Turns a peer's state digest mismatch (MSC4500, seen on <c>/send</c>) into a divergence probe of the room at that
/// event, started in the background at once rather than at the room's turn in the periodic cycle. At most one per room
/// per <see cref="ResyncOptions.DivergenceProbeInterval"/>, so a room that stays divergent under heavy traffic is not
/// probed for every event; nothing when the probe is turned off. The detector is resolved when first used (it needs the
/// database, which exists only once the host has started).
/// </summary>
public sealed partial class MismatchProbes(
    IServiceProvider services, IOptions<ResyncOptions> options, TimeProvider time, ILogger<MismatchProbes> logger)
    : IDivergenceProbeRequests, IDisposable
{
    private readonly Dictionary<string, (DateTimeOffset Started, Task Probe)> _probes = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public void RequestProbe(string roomId, string eventId)
    {
        if (!options.Value.DivergenceProbeEnabled || _stopping.IsCancellationRequested)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (_probes)
        {
            if (!_probes.TryGetValue(roomId, out var last) || now - last.Started >= options.Value.DivergenceProbeInterval)
            {
                _probes[roomId] = (now, Start(roomId, eventId));
            }
        }
    }

    /// <summary>The latest probe started for the room after a mismatch (completed when there is none); for tests and tools.</summary>
    public Task ProbeOf(string roomId)
    {
        lock (_probes)
        {
            return _probes.TryGetValue(roomId, out var probe) ? probe.Probe : Task.CompletedTask;
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private Task Start(string roomId, string eventId)
    {
        var stopping = _stopping.Token;
        return Task.Run(() => ProbeAsync(roomId, eventId, stopping), CancellationToken.None);
    }

    private async Task ProbeAsync(string roomId, string eventId, CancellationToken stopping)
    {
        try
        {
            var report = await services.GetRequiredService<DivergenceDetector>().ProbeAsync(roomId, eventId, stopping).ConfigureAwait(false);
            LogProbed(logger, roomId, eventId, report is null ? "not probed (no state or no peer)" : DivergenceMetrics.Name(report.Verdict.Class));
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            LogProbeFailed(logger, e, roomId, eventId);
        }
    }

    [LoggerMessage(EventId = 9430, Level = LogLevel.Information, Message = "Probed {RoomId} at {EventId} after a state digest mismatch: {Result}")]
    private static partial void LogProbed(ILogger logger, string roomId, string eventId, string result);

    [LoggerMessage(EventId = 9431, Level = LogLevel.Warning, Message = "Probing {RoomId} at {EventId} after a state digest mismatch failed")]
    private static partial void LogProbeFailed(ILogger logger, Exception exception, string roomId, string eventId);
}
