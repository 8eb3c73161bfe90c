using System.Collections.Concurrent;
using Federation.Ingest.Batching;
using Federation.Ingest.StateHashes;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Ingest.Queue;

/// <summary>
/// Processes the inbound queue: up to <see cref="IngestOptions.QueueConcurrency"/> rooms at once, each room's events one
/// after the other in arrival order, each room by one process at a time (its queue lease). It looks for work when
/// <see cref="Notify"/> is called, when a room is done, and every <see cref="IngestOptions.QueuePollInterval"/> (work
/// queued by other processes, or left by a restart). Register it after the database is migrated.
/// </summary>
/// <remarks>
/// The store, queue and ingestor are resolved when first used, not when the worker is built: hosted services are built
/// before any has started, and the database connection only exists once the database startup has run.
/// </remarks>
public sealed partial class InboundQueueWorker(
    IServiceProvider services,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<InboundQueueWorker> logger) : BackgroundService
{
    /// <summary>Failed attempts (errors, not verdicts) after which a queued event is given up.</summary>
    private const int MaxAttempts = 5;

    private const int BatchSize = 50;

    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<string, Task> _active = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _pausedUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _drained = new(StringComparer.Ordinal);

    private InboundPduStore Queue => services.GetRequiredService<InboundPduStore>();

    /// <summary>Tells the worker that events were queued.</summary>
    public void Notify()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    /// <summary>Completes once the room has no queued events and none is being processed (for tests and tools).</summary>
    public async Task DrainedAsync(string roomId, CancellationToken cancellationToken)
    {
        var drained = _drained.GetOrAdd(roomId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_active.ContainsKey(roomId) && await Queue.CountAsync(roomId, cancellationToken).ConfigureAwait(false) == 0)
        {
            // Done with it: a later call must look again, not find this completed waiter.
            _drained.TryRemove(KeyValuePair.Create(roomId, drained));
            drained.TrySetResult();
        }

        await drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await StartRoomsAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogQueueReadFailed(logger, e);
            }

            using var poll = new CancellationTokenSource(options.Value.QueuePollInterval, time);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, poll.Token);
            try
            {
                await _wake.WaitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Poll interval over.
            }
        }

        await Task.WhenAll(_active.Values).ConfigureAwait(false);
    }

    private async Task StartRoomsAsync(CancellationToken stoppingToken)
    {
        var concurrency = options.Value.QueueConcurrency;
        if (_active.Count >= concurrency)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var roomId in await Queue.RoomsWithWorkAsync(concurrency * 4, stoppingToken).ConfigureAwait(false))
        {
            if (_active.Count >= concurrency)
            {
                break;
            }

            if (_pausedUntil.TryGetValue(roomId, out var until) && until > now)
            {
                continue;
            }

            if (_active.TryAdd(roomId, Task.CompletedTask))
            {
                _active[roomId] = Task.Run(() => ProcessRoomAsync(roomId, stoppingToken), CancellationToken.None);
            }
        }
    }

    private async Task ProcessRoomAsync(string roomId, CancellationToken stoppingToken)
    {
        var drained = false;
        try
        {
            drained = await DrainRoomAsync(roomId, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogRoomFailed(logger, roomId, e);
            _pausedUntil[roomId] = time.GetUtcNow() + options.Value.QueuePollInterval;
        }
        finally
        {
            _active.TryRemove(roomId, out _);
            if (drained && _drained.TryRemove(roomId, out var waiting))
            {
                waiting.TrySetResult();
            }

            Notify();
        }
    }

    /// <returns>True when the room's queue was emptied; false when another process holds it or an event failed.</returns>
    private async Task<bool> DrainRoomAsync(string roomId, CancellationToken stoppingToken)
    {
        var version = await services.GetRequiredService<DagStore>().GetRoomVersionAsync(roomId, stoppingToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Events of room {roomId} are queued but the room is not held");
        await using var lease = await Queue.TryTakeRoomAsync(roomId, version, stoppingToken).ConfigureAwait(false);
        if (lease is null)
        {
            return false;
        }

        while (true)
        {
            var next = await lease.NextAsync(BatchSize, stoppingToken).ConfigureAwait(false);
            if (next.Count == 0)
            {
                _pausedUntil.TryRemove(roomId, out _);
                return true;
            }

            var index = 0;
            while (index < next.Count)
            {
                var run = await ProcessRunAsync(next, index, stoppingToken).ConfigureAwait(false);
                if (run > 0)
                {
                    // The run's write removed them from the queue.
                    var processed = next.Skip(index).Take(run).ToList();
                    lease.Forget(processed.Select(q => q.Id));
                    await CheckStateHashesAsync(roomId, processed, stoppingToken).ConfigureAwait(false);
                    index += run;
                    continue;
                }

                var queued = next[index++];
                try
                {
                    await services.GetRequiredService<PduIngestor>().ProcessAdmittedAsync(queued.Origin, queued.Event, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    if (queued.Attempts + 1 < MaxAttempts)
                    {
                        LogEventFailed(logger, queued.Event.EventId, roomId, queued.Attempts + 1, e);
                        await lease.RecordFailureAsync(queued.Id, stoppingToken).ConfigureAwait(false);
                        _pausedUntil[roomId] = time.GetUtcNow() + options.Value.QueuePollInterval;
                        return false;
                    }

                    LogEventGivenUp(logger, queued.Event.EventId, roomId, e);
                }

                await lease.RemoveAsync(queued.Id, stoppingToken).ConfigureAwait(false);
                await CheckStateHashesAsync(roomId, [queued], stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The deferred MSC4500 check of what the senders asserted about the state around processed events. It
    /// only records: a failure is logged and never holds up the queue.</summary>
    private async Task CheckStateHashesAsync(string roomId, IReadOnlyList<QueuedPdu> processed, CancellationToken stoppingToken)
    {
        try
        {
            await services.GetRequiredService<StateHashChecker>().CheckProcessedAsync(roomId, processed, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogStateHashCheckFailed(logger, roomId, e);
        }
    }

    /// <summary>
    /// Events that need nothing remote are checked and persisted together; 0 means the next event goes alone. An error
    /// here only sends the event the one-at-a-time way, which counts failures and pauses the room as usual.
    /// </summary>
    private async Task<int> ProcessRunAsync(IReadOnlyList<QueuedPdu> queue, int start, CancellationToken stoppingToken)
    {
        try
        {
            return await services.GetRequiredService<QueueRunIngestor>().ProcessRunAsync(queue, start, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            LogRunFailed(logger, queue[start].Event.EventId, e);
            return 0;
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 1020, Level = LogLevel.Error, Message = "Reading the inbound queue failed")]
    private static partial void LogQueueReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "Processing the inbound queue of {RoomId} failed")]
    private static partial void LogRoomFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "Processing {EventId} in {RoomId} failed (attempt {Attempt}); the room waits")]
    private static partial void LogEventFailed(ILogger logger, string eventId, string roomId, int attempt, Exception exception);

    [LoggerMessage(EventId = 1024, Level = LogLevel.Warning, Message = "Processing a run of queued events from {EventId} together failed; they go one at a time")]
    private static partial void LogRunFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(EventId = 1025, Level = LogLevel.Warning, Message = "Checking the state digests sent with processed events of {RoomId} failed")]
    private static partial void LogStateHashCheckFailed(ILogger logger, string roomId, Exception exception);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Error, Message = "Processing {EventId} in {RoomId} kept failing; it is dropped from the queue")]
    private static partial void LogEventGivenUp(ILogger logger, string eventId, string roomId, Exception exception);
}
