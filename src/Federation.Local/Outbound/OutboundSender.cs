using System.Collections.Concurrent;
using Federation.Client.Http;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Local.Outbound;

/// <summary>
/// Runs one <see cref="DestinationSender"/> loop per destination with queued events: those found at start (a restart
/// resumes) and those woken by new events. Client requests only queue; they never wait on a remote. The database
/// services are resolved when sending starts, not when the host builds its hosted services (the database is started
/// by another hosted service, before this one runs).
/// </summary>
public sealed partial class OutboundSender(
    IServiceProvider services,
    OutboundWakeups wakeups,
    IOptions<OutboundOptions> options,
    TimeProvider time,
    ILogger<OutboundSender> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DestinationSender> _senders = new(StringComparer.Ordinal);
    private readonly List<Task> _loops = [];
    private OutboundPdus? _queue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await ResumeAsync(stoppingToken).ConfigureAwait(false);
        try
        {
            await foreach (var destination in wakeups.Destinations.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                SenderFor(destination, stoppingToken).Wake();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // A loop started as the host stopped never ran; nothing was lost, its rows stay queued.
        }
    }

    /// <summary>Starts loops for the destinations left in the queue by an earlier run; retries until the database answers.</summary>
    private async Task ResumeAsync(CancellationToken stoppingToken)
    {
        var delay = options.Value.RetryBaseDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                _queue ??= services.GetRequiredService<OutboundPdus>();
                foreach (var destination in await _queue.DestinationsAsync(stoppingToken).ConfigureAwait(false))
                {
                    SenderFor(destination, stoppingToken).Wake();
                }

                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The database may still be starting; new events wake their destinations anyway.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogResumeFailed(logger, e);
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.RetryMaxDelay.Ticks));
        }
    }

    private DestinationSender SenderFor(string destination, CancellationToken stoppingToken) =>
        _senders.GetOrAdd(destination, name =>
        {
            var sender = new DestinationSender(
                name,
                _queue ?? services.GetRequiredService<OutboundPdus>(),
                wakeups,
                services.GetRequiredService<DagStore>(),
                services.GetRequiredService<FederationClient>(),
                services.GetRequiredService<ServerIdentity>(),
                options,
                time,
                logger);
            _loops.Add(Task.Run(() => sender.RunAsync(stoppingToken), stoppingToken));
            return sender;
        });

    public override void Dispose()
    {
        base.Dispose();
        foreach (var sender in _senders.Values)
        {
            sender.Dispose();
        }
    }

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Could not read the outbound queue at start; retrying")]
    private static partial void LogResumeFailed(ILogger logger, Exception exception);
}
