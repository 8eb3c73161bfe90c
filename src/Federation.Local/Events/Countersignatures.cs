using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Client.Keys;
using Federation.Protocol.Events;
using Federation.Protocol.Json;

namespace Federation.Local.Events;

/// <summary>
/// Takes another server's signature onto an event of ours (an invite the invitee's server signed, a join the resident
/// countersigned). Only <c>signatures[server]</c> of the returned copy is read, and only the signatures that verify
/// over our own event are kept: in room versions 1 and 2 the event id does not cover the content, so a server could
/// otherwise hand back a different event under our id.
/// </summary>
public sealed class Countersignatures(IRemoteServerKeys keys)
{
    /// <summary>
    /// Our event with <paramref name="server"/>'s verified signatures from <paramref name="theirCopy"/> added, or null
    /// when the copy carries none that verify over our event.
    /// </summary>
    public async Task<Pdu?> AddAsync(Pdu ours, JsonElement theirCopy, string server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ours);
        if (theirCopy.ValueKind != JsonValueKind.Object
            || !theirCopy.TryGetProperty("signatures", out var signatures) || signatures.ValueKind != JsonValueKind.Object
            || !signatures.TryGetProperty(server, out var theirs) || theirs.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var validAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(ours.OriginServerTs, 0, 253402300799999));
        var verified = new JsonObject();
        foreach (var signature in theirs.EnumerateObject())
        {
            if (!signature.Name.StartsWith("ed25519:", StringComparison.Ordinal) || signature.Value.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var candidate = With(ours, server, new JsonObject { [signature.Name] = signature.Value.GetString() });
            var key = await keys.GetAsync(server, signature.Name, validAt, cancellationToken).ConfigureAwait(false);
            if (key is not null && EventSigning.VerifySignature(candidate, server, signature.Name, key.PublicKey))
            {
                verified[signature.Name] = signature.Value.GetString();
            }
        }

        return verified.Count == 0 ? null : With(ours, server, verified);
    }

    private static Pdu With(Pdu ours, string server, JsonObject serverSignatures)
    {
        var json = JsonNode.Parse(ours.Json.GetRawText())!.AsObject();
        if (json["signatures"] is not JsonObject all)
        {
            all = [];
            json["signatures"] = all;
        }

        all[server] = serverSignatures;
        return Pdu.Parse(JsonSigning.ToElement(json), ours.RoomVersion);
    }
}
