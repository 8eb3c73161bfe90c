using System.Text.Json.Nodes;
using Federation.Resync.Divergence;

namespace Federation.Host.Admin;

/// <summary>What <c>/_admin/rooms/{roomId}/divergence.json</c> answers: our state fingerprints of the room and its
/// latest divergence report as the database keeps it (docs/resync.md).</summary>
internal static class DivergenceJson
{
    public static JsonObject Of(string roomId, CurrentFingerprint? current, StoredDivergenceReport? report) => new()
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
        ["report"] = report?.Report,
    };
}
