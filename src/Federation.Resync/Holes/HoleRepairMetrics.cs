using System.Diagnostics.Metrics;
using Federation.Resync.Divergence;

namespace Federation.Resync.Holes;

/// <summary>Metrics of hole repair, on the re-sync meter.</summary>
public static class HoleRepairMetrics
{
    private static readonly Meter Meter = new(DivergenceMetrics.MeterName);

    private static readonly Counter<long> Filled = Meter.CreateCounter<long>(
        "federation.resync.holes_filled", description: "Holes (missing events) filled by the repair service");

    private static readonly Counter<long> Failed = Meter.CreateCounter<long>(
        "federation.resync.hole_attempts_failed", description: "Attempts to fetch a hole from a server that did not supply it");

    private static readonly Counter<long> Lost = Meter.CreateCounter<long>(
        "federation.resync.holes_lost", description: "Holes marked lost (deadline passed or attempts exhausted) and no longer asked for");

    public static void Record(HoleRepairOutcome outcome)
    {
        switch (outcome)
        {
            case HoleRepairOutcome.Filled:
                Filled.Add(1);
                break;
            case HoleRepairOutcome.Failed:
                Failed.Add(1);
                break;
            case HoleRepairOutcome.Lost:
                Lost.Add(1);
                break;
        }
    }
}
