using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Federation.Client.Diagnostics;

/// <summary>Metrics of outbound federation requests, per destination and outcome.</summary>
public static class FederationClientMetrics
{
    public const string MeterName = "Federation.Client";

    /// <summary>How many destinations are labelled by name; the rest share the label <c>other</c>.</summary>
    public const int NamedDestinations = 500;

    private static readonly Meter Meter = new(MeterName);

    private static readonly DestinationLabels Destinations = new(NamedDestinations);

    private static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "federation.client.request.duration", unit: "s", description: "Duration of outbound federation requests, retries included");

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "federation.client.requests", description: "Outbound federation requests by destination and outcome");

    /// <summary>Records one finished request; destinations beyond the first <see cref="NamedDestinations"/> are labelled <c>other</c>. <paramref name="outcome"/> is <c>ok</c>, <c>error</c> (an error status) or <c>unreachable</c>.</summary>
    public static void RecordRequest(string destination, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "destination", Destinations.For(destination) }, { "outcome", outcome } };
        Requests.Add(1, tags);
        RequestDuration.Record(duration.TotalSeconds, tags);
    }
}
