using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Federation.StateResolution.Diagnostics;

/// <summary>
/// Metrics of state resolution: how long each resolution took and how big it was. Only the BCL's meter API, so the
/// engine stays free of exporter dependencies; the host's listeners (Prometheus text, OTLP) pick the meter up by name.
/// </summary>
public static class StateResolutionMetrics
{
    public const string MeterName = "Federation.StateResolution";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "federation.state_resolution.duration", unit: "s", description: "Time of one state resolution, by algorithm (v1, v2)");

    private static readonly Histogram<long> StateSets = Meter.CreateHistogram<long>(
        "federation.state_resolution.state_sets", description: "State sets given to one resolution, by algorithm");

    private static readonly Histogram<long> ConflictedEvents = Meter.CreateHistogram<long>(
        "federation.state_resolution.conflicted_events",
        description: "Events of the full conflicted set (conflicted events and their auth difference) of one v2 resolution");

    /// <summary>Records one resolution; <paramref name="conflictedEvents"/> is null where the algorithm has no such set (v1).</summary>
    public static void RecordResolution(string algorithm, TimeSpan elapsed, int stateSets, int? conflictedEvents)
    {
        var tags = new TagList { { "algorithm", algorithm } };
        Duration.Record(elapsed.TotalSeconds, tags);
        StateSets.Record(stateSets, tags);
        if (conflictedEvents is { } count)
        {
            ConflictedEvents.Record(count, tags);
        }
    }
}
