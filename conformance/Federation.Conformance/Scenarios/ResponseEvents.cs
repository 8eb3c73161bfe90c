using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Conformance.Scenarios;

/// <summary>Reads event ids out of response fields that hold either ids or whole PDUs.</summary>
public static class ResponseEvents
{
    /// <summary>The ids in <paramref name="field"/>, in order: strings as they are, PDUs by their (computed) event id.</summary>
    public static IReadOnlyList<string> Ids(JsonNode? field, RoomVersion version) =>
        field is JsonArray array ? [.. array.Select(item => IdOf(item, version))] : [];

    /// <summary>The PDUs of <paramref name="field"/> by event id.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Pdus(JsonNode? field, RoomVersion version) =>
        field is JsonArray array
            ? array.OfType<JsonObject>().GroupBy(p => IdOf(p, version), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)
            : new Dictionary<string, JsonObject>(StringComparer.Ordinal);

    private static string IdOf(JsonNode? item, RoomVersion version)
    {
        if (item is JsonValue value && value.TryGetValue<string>(out var id))
        {
            return id;
        }

        if (item is JsonObject pdu)
        {
            if (pdu["event_id"]?.GetValue<string>() is { } explicitId && version.UsesEventReferencePairs)
            {
                return explicitId;
            }

            return Pdu.EventIdFromReferenceHash(EventHashes.ReferenceHash(JsonSigning.ToElement(pdu), version), version);
        }

        return item?.ToJsonString() ?? "null";
    }
}
