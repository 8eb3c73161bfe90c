using System.Diagnostics;
using System.Diagnostics.Metrics;
using Federation.Resync.Core.Divergence;

namespace Federation.Resync.Divergence;

/// <summary>Metrics of state fingerprints: probes by classification, bisections, and the accumulator endpoint.</summary>
public static class DivergenceMetrics
{
    public const string MeterName = "Federation.Resync";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Probes = Meter.CreateCounter<long>(
        "federation.resync.divergence_probes",
        description: "Rooms probed for state divergence, by class (in_sync, peer_lagging, we_are_minority, no_majority, insufficient_answers)");

    private static readonly Counter<long> Bisections = Meter.CreateCounter<long>(
        "federation.resync.bisections", description: "Bisections to the first divergent event, by outcome (found, older_than_searched, inconclusive)");

    private static readonly Histogram<long> BisectionProbes = Meter.CreateHistogram<long>(
        "federation.resync.bisection_probes", description: "Fingerprints asked of a peer by one bisection");

    private static readonly Counter<long> Repairs = Meter.CreateCounter<long>(
        "federation.resync.divergence_repairs",
        description: "Automatic repairs after a minority verdict, by outcome (converged, still_minority, nothing_to_fetch, unsupported, failed)");

    private static readonly Counter<long> Served = Meter.CreateCounter<long>(
        "federation.resync.accumulator_requests", description: "State accumulator requests served, by result (ok, not_found, forbidden, limited)");

    public static void RecordProbe(DivergenceClass divergence) => Probes.Add(1, new TagList { { "class", Name(divergence) } });

    public static void RecordBisection(BisectionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Bisections.Add(1, new TagList { { "outcome", result.Outcome switch
        {
            BisectionOutcome.Found => "found",
            BisectionOutcome.OlderThanSearched => "older_than_searched",
            _ => "inconclusive",
        } } });
        BisectionProbes.Record(result.Probes);
    }

    public static void RecordRepair(DivergenceRepairOutcome outcome) => Repairs.Add(1, new TagList { { "outcome", Name(outcome) } });

    public static void RecordServed(string result) => Served.Add(1, new TagList { { "result", result } });

    /// <summary>The snake_case name of a class, as in metrics, logs and the admin tool.</summary>
    public static string Name(DivergenceClass divergence) => divergence switch
    {
        DivergenceClass.InSync => "in_sync",
        DivergenceClass.PeerLagging => "peer_lagging",
        DivergenceClass.WeAreMinority => "we_are_minority",
        DivergenceClass.NoMajority => "no_majority",
        _ => "insufficient_answers",
    };

    /// <summary>The snake_case name of a repair outcome, as in metrics, logs and the admin tool.</summary>
    public static string Name(DivergenceRepairOutcome outcome) => outcome switch
    {
        DivergenceRepairOutcome.Converged => "converged",
        DivergenceRepairOutcome.StillMinority => "still_minority",
        DivergenceRepairOutcome.NothingToFetch => "nothing_to_fetch",
        DivergenceRepairOutcome.Unsupported => "unsupported",
        _ => "failed",
    };
}
