using System.Diagnostics.Metrics;
using Federation.Local.Outbound;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Host.Observability;

/// <summary>
/// Queue depths as observable gauges: events waiting in the inbound queue (<c>inbound_pdus</c>), events waiting in the
/// outbound queue and the destinations they wait for. Gauge callbacks run synchronously inside a scrape or export, so
/// they report values sampled in the background every <see cref="ObservabilityOptions.QueueDepthInterval"/> rather
/// than query the database themselves. With several processes on one database every process reports the same totals.
/// </summary>
public sealed partial class QueueDepthMetrics : BackgroundService
{
    public const string MeterName = "Federation.Queues";

    private const string InboundDepthSql = "SELECT count(*) FROM inbound_pdus";

    private readonly Meter _meter = new(MeterName);
    private readonly IServiceProvider _services;
    private readonly IOptions<ObservabilityOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<QueueDepthMetrics> _logger;
    private long _inbound = -1;
    private long _outbound = -1;
    private long _destinations = -1;

    public QueueDepthMetrics(IServiceProvider services, IOptions<ObservabilityOptions> options, TimeProvider time, ILogger<QueueDepthMetrics> logger)
    {
        _services = services;
        _options = options;
        _time = time;
        _logger = logger;
        // Before the first sample the gauges report nothing (no measurement), not a misleading zero.
        _meter.CreateObservableGauge("federation.inbound.queue.depth", () => Observe(ref _inbound), description: "Received events waiting to be processed");
        _meter.CreateObservableGauge("federation.outbound.queue.depth", () => Observe(ref _outbound), description: "Events waiting to be sent");
        _meter.CreateObservableGauge(
            "federation.outbound.queue.destinations", () => Observe(ref _destinations), description: "Destinations with events waiting to be sent");
    }

    /// <summary>Reads the depths once (the loop's step; tests call it directly).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        var dataSource = _services.GetRequiredService<NpgsqlDataSource>();
        await using (var command = dataSource.CreateCommand(InboundDepthSql))
        {
            Interlocked.Exchange(ref _inbound, (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }

        var (events, destinations) = await new OutboundQueueReader(dataSource).TotalsAsync(cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _outbound, events);
        Interlocked.Exchange(ref _destinations, destinations);
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SampleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sample (database restarting) leaves the last values; the next tick tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogSampleFailed(_logger, e);
            }

            try
            {
                await Task.Delay(_options.Value.QueueDepthInterval, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static IEnumerable<Measurement<long>> Observe(ref long value)
    {
        var current = Interlocked.Read(ref value);
        return current < 0 ? [] : [new Measurement<long>(current)];
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Reading the queue depths failed")]
    private static partial void LogSampleFailed(ILogger logger, Exception exception);
}
