using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Crypto;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Events;

/// <summary>
/// Hashing and signing events we create, and checking the signatures and content hash of events we receive
/// (spec "Signing events" and "Checks performed on receipt of a PDU").
/// </summary>
public static class EventSigning
{
    /// <summary>
    /// Adds <c>hashes.sha256</c> and our signature to an event in place: the content hash covers the full event,
    /// the signature covers its redacted form, so that a redacted copy still verifies.
    /// </summary>
    public static void HashAndSign(JsonObject pdu, RoomVersion version, string serverName, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(key);
        pdu.Remove("hashes");
        var contentHash = EventHashes.ContentHash(JsonSigning.ToElement(pdu));
        pdu["hashes"] = new JsonObject { ["sha256"] = UnpaddedBase64.Encode(contentHash) };

        var signature = UnpaddedBase64.Encode(key.Sign(EventHashes.SignedBytes(JsonSigning.ToElement(pdu), version)));
        if (pdu["signatures"] is not JsonObject signatures)
        {
            signatures = [];
            pdu["signatures"] = signatures;
        }

        if (signatures[serverName] is not JsonObject serverSignatures)
        {
            serverSignatures = [];
            signatures[serverName] = serverSignatures;
        }

        serverSignatures[key.KeyId] = signature;
    }

    /// <summary>Whether the event's <c>hashes.sha256</c> matches its content; a mismatch means the event must be redacted.</summary>
    public static bool HasValidContentHash(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (!pdu.Json.TryGetProperty("hashes", out var hashes) || hashes.ValueKind != JsonValueKind.Object
            || !hashes.TryGetProperty("sha256", out var sha256) || sha256.ValueKind != JsonValueKind.String
            || !UnpaddedBase64.TryDecode(sha256.GetString(), out var expected))
        {
            return false;
        }

        return pdu.ContentHash.SequenceEqual(expected);
    }

    /// <summary>
    /// The servers whose signatures an event must carry: the sender's server, for room versions 1 and 2 also the
    /// server named in the event id, and for a restricted join the server of the authorising user.
    /// </summary>
    public static IReadOnlySet<string> RequiredSigners(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var servers = new HashSet<string>(StringComparer.Ordinal);
        AddServerOf(servers, pdu.Sender);
        if (pdu.RoomVersion.EventIdFormat == EventIdFormat.OriginSupplied)
        {
            AddServerOf(servers, pdu.EventId);
        }

        if (pdu.RoomVersion.AllowsRestrictedJoins && pdu.Membership == "join"
            && pdu.Content.TryGetProperty("join_authorised_via_users_server", out var via) && via.ValueKind == JsonValueKind.String)
        {
            AddServerOf(servers, via.GetString());
        }

        return servers;
    }

    /// <summary>The key ids with which <paramref name="server"/> signed the event, Ed25519 ones only.</summary>
    public static IReadOnlyList<string> SignatureKeyIds(Pdu pdu, string server)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (!pdu.Json.TryGetProperty("signatures", out var signatures) || signatures.ValueKind != JsonValueKind.Object
            || !signatures.TryGetProperty(server, out var serverSignatures) || serverSignatures.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return serverSignatures.EnumerateObject()
            .Where(p => p.Name.StartsWith("ed25519:", StringComparison.Ordinal))
            .Select(p => p.Name)
            .ToArray();
    }

    /// <summary>Whether <paramref name="server"/>'s signature with <paramref name="keyId"/> on the event verifies with <paramref name="publicKey"/>.</summary>
    public static bool VerifySignature(Pdu pdu, string server, string keyId, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        return JsonSigning.Verify(pdu.Json, server, keyId, publicKey, pdu.SignedBytes);
    }

    private static void AddServerOf(HashSet<string> servers, string? id)
    {
        if (MatrixIds.ServerNameOf(id) is { } server)
        {
            servers.Add(server);
        }
    }
}
