using System.Diagnostics;
using System.Diagnostics.Metrics;
using Federation.Ingest.StateHashes;
using Federation.Resync.Core.StateHashes;

namespace Federation.Ingest.Diagnostics;

/// <summary>Metrics of the receive pipeline: what became of PDUs, holes and fetched outliers.</summary>
public static class IngestMetrics
{
    public const string MeterName = "Federation.Ingest";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Pdus = Meter.CreateCounter<long>(
        "federation.ingest.pdus", description: "Events processed for the timeline, by outcome (accepted, rejected, soft_failed, dropped)");

    private static readonly Counter<long> Holes = Meter.CreateCounter<long>(
        "federation.ingest.holes", description: "States fetched at prev events we did not hold, by result (fetched, failed, backing_off: not asked, an earlier pull failed)");

    private static readonly Counter<long> LargeGaps = Meter.CreateCounter<long>(
        "federation.ingest.large_gaps", description: "Gaps a full /get_missing_events answer did not close, by result of the large-gap filler (filled: it stored events, not_filled)");

    private static readonly Counter<long> ExtremitiesPruned = Meter.CreateCounter<long>(
        "federation.ingest.extremities_pruned", description: "Stale forward extremities dropped after holes");

    private static readonly Counter<long> Outliers = Meter.CreateCounter<long>(
        "federation.ingest.outliers", description: "Events fetched for auth chains and hole states and stored as outliers");

    private static readonly Counter<long> StateHashChecks = Meter.CreateCounter<long>(
        "federation.ingest.state_hash_checks",
        description: "PDUs whose sender asserted MSC4500 state digests, by result (match, mismatch, unavailable: we hold no comparable digest) and when (at_send, after_processing)");

    public static void RecordStateHashCheck(StateHashCheck check, StateHashTiming timing)
    {
        ArgumentNullException.ThrowIfNull(check);
        StateHashChecks.Add(1, new TagList
        {
            { "result", check.IsMismatch ? "mismatch" : check.Compared ? "match" : "unavailable" },
            { "when", timing == StateHashTiming.AtSend ? "at_send" : "after_processing" },
        });
    }

    public static void RecordPdu(PduDisposition disposition) =>
        Pdus.Add(1, new TagList { { "outcome", disposition switch
        {
            PduDisposition.Accepted => "accepted",
            PduDisposition.Rejected => "rejected",
            PduDisposition.SoftFailed => "soft_failed",
            _ => "dropped",
        } } });

    public static void RecordHole(bool fetched) => Holes.Add(1, new TagList { { "result", fetched ? "fetched" : "failed" } });

    public static void RecordHoleBackingOff() => Holes.Add(1, new TagList { { "result", "backing_off" } });

    public static void RecordLargeGap(bool filled) => LargeGaps.Add(1, new TagList { { "result", filled ? "filled" : "not_filled" } });

    public static void RecordExtremitiesPruned(int count) => ExtremitiesPruned.Add(count);

    public static void RecordOutliers(int count) => Outliers.Add(count);
}
