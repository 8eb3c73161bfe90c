using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Api.Client;

/// <summary>Events as the Client-Server API shows them ("ClientEvent"): no hashes, signatures, prev or auth events.</summary>
public static class ClientEventFormat
{
    /// <summary>A stored event as clients see it: its redacted copy when its content hash failed.</summary>
    public static JsonObject Of(StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.RedactedJson is not { } redacted)
        {
            return Of(stored.Pdu);
        }

        using var document = JsonDocument.Parse(redacted);
        return Of(Pdu.WithTrustedId(document.RootElement.Clone(), stored.Pdu.RoomVersion, stored.EventId));
    }

    public static JsonObject Of(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var json = new JsonObject
        {
            ["type"] = pdu.Type,
            ["content"] = JsonNode.Parse(pdu.Content.GetRawText()),
            ["event_id"] = pdu.EventId,
            ["sender"] = pdu.Sender,
            ["origin_server_ts"] = pdu.OriginServerTs,
            ["room_id"] = pdu.RoomId,
        };
        if (pdu.StateKey is not null)
        {
            json["state_key"] = pdu.StateKey;
        }

        return json;
    }
}
