using Federation.Protocol.Keys;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Federation.Host.Observability;

/// <summary>
/// Pushes this server's meters (every meter named <c>Federation.*</c>) to an OTLP collector when
/// <c>Observability:OtlpEndpoint</c> is set. Built on the OpenTelemetry SDK directly (the hosting integration package is
/// not available here): the meter provider lives from start to stop, and stopping flushes the last interval.
/// </summary>
public sealed class OtlpMetricsExport(IOptions<ObservabilityOptions> options, IServiceProvider services) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (settings.OtlpEndpoint.Length == 0)
        {
            return Task.CompletedTask;
        }

        var serverName = services.GetRequiredService<ServerIdentity>().ServerName;
        _provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(resource => resource.AddService("federation", serviceInstanceId: serverName))
            .AddMeter("Federation.*")
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(settings.OtlpEndpoint);
                exporter.Protocol = settings.OtlpProtocol == "grpc" ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)settings.ExportInterval.TotalMilliseconds;
            })
            .Build();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        var provider = Interlocked.Exchange(ref _provider, null);
        provider?.Dispose();
    }
}
