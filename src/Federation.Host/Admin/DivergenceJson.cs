using System.Text.Json.Nodes;
using Federation.Resync.Divergence;

namespace Federation.Host.Admin;

/// <summary>What <c>/_admin/rooms/{roomId}/divergence.json</c> answers: our state fingerprints of the room and the
/// latest divergence report of this process (docs/resync.md).</summary>
internal static class DivergenceJson
{
    public static JsonObject Of(string roomId, CurrentFingerprint? current, DivergenceReport? report) => new()
    {
        ["room_id"] = roomId,
        ["current"] = current is null ? null : new JsonObject
        {
            ["digest"] = current.Fingerprint.Digest.ToString(),
            ["n_state_events"] = current.Fingerprint.Count,
            ["extremities"] = new JsonArray([.. current.Extremities.Select(e => (JsonNode)new JsonObject
            {
                ["event_id"] = e.EventId,
                ["digest"] = e.Fingerprint.Digest.ToString(),
                ["n_state_events"] = e.Fingerprint.Count,
            })]),
        },
        ["report"] = report is null ? null : Report(report),
    };

    private static JsonObject Report(DivergenceReport report) => new()
    {
        ["probe_event"] = report.ProbeEvent,
        ["probed_at"] = report.ProbedAt.ToUnixTimeMilliseconds(),
        ["class"] = DivergenceMetrics.Name(report.Verdict.Class),
        ["our_digest"] = report.Verdict.Ours.Digest.ToString(),
        ["majority_digest"] = report.Verdict.Majority?.ToString(),
        ["digests"] = new JsonObject(report.Verdict.Histogram.Select(h =>
            KeyValuePair.Create(h.Key.ToString(), (JsonNode?)new JsonArray([.. h.Value.Select(s => (JsonNode)s)])))),
        ["unanswered"] = new JsonObject(report.Verdict.Unanswered.Select(a =>
            KeyValuePair.Create(a.Server, (JsonNode?)(a.Detail ?? a.Kind.ToString())))),
        ["bisected_peer"] = report.BisectedPeer,
        ["bisection"] = report.Bisection is not { } bisection ? null : new JsonObject
        {
            ["outcome"] = bisection.Outcome.ToString(),
            ["first_divergent"] = bisection.FirstDivergent,
            ["last_agreeing"] = bisection.LastAgreeing,
            ["peer_lacks_event"] = bisection.PeerLacksEvent,
            ["probes"] = bisection.Probes,
        },
    };
}
