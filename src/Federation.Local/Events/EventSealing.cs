using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;

namespace Federation.Local.Events;

/// <summary>Turns an unsigned event into one of ours: an event id where the room version wants one chosen, hashes, our signature.</summary>
public static class EventSealing
{
    /// <summary>
    /// Hashes and signs <paramref name="json"/> in place as <paramref name="identity"/> and parses it. Room versions 1
    /// and 2 get a random <c>$opaque:our.server</c> id unless the event has one; later versions' ids are the reference hash.
    /// </summary>
    public static Pdu Seal(JsonObject json, RoomVersion version, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(identity);
        json.Remove("hashes");
        json.Remove("unsigned");
        if (version.UsesEventReferencePairs)
        {
            if (json["event_id"] is null)
            {
                json["event_id"] = $"${RandomNumberGenerator.GetString(OpaqueAlphabet, 18)}:{identity.ServerName}";
            }
        }
        else
        {
            json.Remove("event_id");
        }

        EventSigning.HashAndSign(json, version, identity.ServerName, identity.SigningKey);
        return Pdu.Parse(JsonSigning.ToElement(json), version);
    }

    /// <summary>A random room id of room versions 1–11, <c>!opaque:our.server</c>.</summary>
    public static string NewRoomId(ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return $"!{RandomNumberGenerator.GetString(OpaqueAlphabet, 18)}:{identity.ServerName}";
    }

    private const string OpaqueAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
}
