using System.ComponentModel.DataAnnotations;

namespace Federation.Host.Observability;

/// <summary>Metric export. Bound from the <c>Observability</c> section. The Prometheus-text <c>/metrics</c> endpoint is
/// always served; OTLP export is added when an endpoint is set.</summary>
public sealed class ObservabilityOptions
{
    public const string SectionName = "Observability";

    /// <summary>
    /// OTLP collector to push metrics to (<c>http://collector:4317</c> for gRPC, <c>http://collector:4318/v1/metrics</c>
    /// for HTTP). Default empty: no OTLP export.
    /// </summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>OTLP transport: <c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    [RegularExpression("^(grpc|http/protobuf)$")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>How often metrics are pushed over OTLP. Default 15 seconds; 100 ms to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the queue-depth gauges are read from the database. Default 15 seconds; 1 second to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(15);
}
