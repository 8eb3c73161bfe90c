using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.Checks;
using Federation.Protocol.Errors;
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
        Prepare(json, version, identity);
        EventSigning.HashAndSign(json, version, identity.ServerName, identity.SigningKey);
        return Pdu.Parse(JsonSigning.ToElement(json), version);
    }

    private static void Prepare(JsonObject json, RoomVersion version, ServerIdentity identity)
    {
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
    }

    /// <summary>The canonical size; JSON canonical encoding refuses is left for the format check to name.</summary>
    private static int EncodedLength(JsonElement json)
    {
        try
        {
            return CanonicalJson.Encode(json).Length;
        }
        catch (CanonicalJsonException)
        {
            return 0;
        }
    }

    /// <summary>
    /// As <see cref="Seal"/>, then held to the checks every server applies to a received PDU (format for the room
    /// version, identifier lengths, reference counts, 65,536 bytes), so that we never send what others must drop.
    /// </summary>
    /// <exception cref="MatrixException"><c>413 M_TOO_LARGE</c> beyond the size limit, else <c>400 M_BAD_JSON</c>.</exception>
    public static Pdu SealChecked(JsonObject json, RoomVersion version, ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(identity);
        JsonElement sealedJson;
        try
        {
            Prepare(json, version, identity);
            EventSigning.HashAndSign(json, version, identity.ServerName, identity.SigningKey);
            sealedJson = JsonSigning.ToElement(json);
        }
        catch (CanonicalJsonException e)
        {
            // JSON no hash can be computed over (for example an unpaired surrogate) is the client's mistake, not ours.
            throw new MatrixException(ErrorCode.BadJson, "The event cannot be encoded as canonical JSON: " + e.Message);
        }

        if (EncodedLength(sealedJson) > PduLimits.MaxEventBytes)
        {
            throw new MatrixException(ErrorCode.TooLarge, $"The event is larger than {PduLimits.MaxEventBytes} bytes", 413);
        }

        var outcome = PduFormatCheck.Check(sealedJson, version, enforceReferenceLimits: true, out var pdu);
        return pdu ?? throw new MatrixException(ErrorCode.BadJson, "The event is not valid in this room version: " + outcome.Reason);
    }

    /// <summary>A random room id of room versions 1–11, <c>!opaque:our.server</c>.</summary>
    public static string NewRoomId(ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        return $"!{RandomNumberGenerator.GetString(OpaqueAlphabet, 18)}:{identity.ServerName}";
    }

    private const string OpaqueAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
}
