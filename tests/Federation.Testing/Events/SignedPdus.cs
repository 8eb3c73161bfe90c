using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;

namespace Federation.Testing.Events;

/// <summary>Builds PDUs hashed and signed by a server, exactly as that server would send them.</summary>
public static class SignedPdus
{
    /// <summary>
    /// A signed event of <paramref name="version"/> from <paramref name="origin"/>. <paramref name="fields"/> adds to or
    /// overrides the defaults (a message from <c>@alice:&lt;origin&gt;</c> in <c>!room:&lt;origin&gt;</c>).
    /// </summary>
    public static JsonElement Create(ServerIdentity origin, RoomVersion version, JsonObject? fields = null, long originServerTs = 1_700_000_000_000)
    {
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(version);
        var pdu = new JsonObject
        {
            ["room_id"] = $"!room:{origin.ServerName}",
            ["sender"] = $"@alice:{origin.ServerName}",
            ["type"] = EventTypes.Message,
            ["content"] = new JsonObject { ["msgtype"] = "m.text", ["body"] = "hello" },
            ["prev_events"] = new JsonArray(),
            ["auth_events"] = new JsonArray(),
            ["depth"] = 1,
            ["origin_server_ts"] = originServerTs,
        };
        if (version.UsesEventReferencePairs)
        {
            pdu["event_id"] = $"${Guid.NewGuid():N}:{origin.ServerName}";
        }

        foreach (var (key, value) in fields ?? [])
        {
            pdu[key] = value?.DeepClone();
        }

        EventSigning.HashAndSign(pdu, version, origin.ServerName, origin.SigningKey);
        return JsonSigning.ToElement(pdu);
    }

    /// <summary>A copy of <paramref name="pdu"/> with one top-level field changed after signing (a tampered event).</summary>
    public static JsonElement Tampered(JsonElement pdu, string field, JsonNode? value)
    {
        var copy = JsonNode.Parse(pdu.GetRawText())!.AsObject();
        copy[field] = value;
        return JsonSigning.ToElement(copy);
    }
}
