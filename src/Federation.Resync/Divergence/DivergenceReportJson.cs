using System.Text.Json.Nodes;
using Federation.Resync.Core.Divergence;

namespace Federation.Resync.Divergence;

/// <summary>A divergence report as JSON: what the database keeps, the admin listener's <c>divergence.json</c> answers
/// and the admin tool reads (snake_case; times in milliseconds since the Unix epoch).</summary>
public static class DivergenceReportJson
{
    public static JsonObject Of(DivergenceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var json = Verdict(report.Verdict);
        json.Insert(0, "room_id", report.RoomId);
        json.Insert(1, "probe_event", report.ProbeEvent);
        json.Insert(2, "probed_at", report.ProbedAt.ToUnixTimeMilliseconds());
        json["bisected_peer"] = report.BisectedPeer;
        json["bisection"] = report.Bisection is not { } bisection ? null : new JsonObject
        {
            ["outcome"] = bisection.Outcome.ToString(),
            ["first_divergent"] = bisection.FirstDivergent,
            ["last_agreeing"] = bisection.LastAgreeing,
            ["peer_lacks_event"] = bisection.PeerLacksEvent,
            ["probes"] = bisection.Probes,
        };
        json["repair"] = report.Repair is not { } repair ? null : new JsonObject
        {
            ["outcome"] = DivergenceMetrics.Name(repair.Outcome),
            ["from_ts"] = repair.FromTs,
            ["until_ts"] = repair.UntilTs,
            ["attempts"] = new JsonArray([.. repair.Attempts.Select(a => (JsonNode)new JsonObject
            {
                ["peer"] = a.Peer,
                ["status"] = a.Status.ToString(),
                ["need"] = a.NeedCount,
                ["stored"] = a.Stored,
                ["failure"] = a.Failure,
            })]),
            ["verdict_after"] = repair.VerdictAfter is { } after ? Verdict(after) : null,
        };
        return json;
    }

    private static JsonObject Verdict(DivergenceVerdict verdict) => new()
    {
        ["class"] = DivergenceMetrics.Name(verdict.Class),
        ["our_digest"] = verdict.Ours.Digest.ToString(),
        ["majority_digest"] = verdict.Majority?.ToString(),
        ["digests"] = new JsonObject(verdict.Histogram.Select(h =>
            KeyValuePair.Create(h.Key.ToString(), (JsonNode?)new JsonArray([.. h.Value.Select(s => (JsonNode)s)])))),
        ["unanswered"] = new JsonObject(verdict.Unanswered.Select(a =>
            KeyValuePair.Create(a.Server, (JsonNode?)(a.Detail ?? a.Kind.ToString())))),
    };
}
