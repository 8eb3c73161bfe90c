using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Crypto;
using Federation.Protocol.Keys;

namespace Federation.Protocol.Json;

/// <summary>
/// Signing and verifying JSON objects (spec appendix "Signing JSON"): the signed bytes are the canonical form of the
/// object without its <c>signatures</c> and <c>unsigned</c> keys.
/// </summary>
public static class JsonSigning
{
    /// <summary>The canonical bytes a signature covers.</summary>
    public static byte[] SignedBytes(JsonElement value)
    {
        using var buffer = new PooledBufferWriter();
        CanonicalJson.WriteObjectWithout(value, buffer, "signatures", "unsigned");
        return buffer.ToArray();
    }

    /// <summary>
    /// Signs <paramref name="value"/> in place as <paramref name="entity"/>, keeping any signatures it already has
    /// (also those of <paramref name="entity"/> under other key ids).
    /// </summary>
    public static void Sign(JsonObject value, string entity, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(key);
        var element = ToElement(value);
        var signature = UnpaddedBase64.Encode(key.Sign(SignedBytes(element)));
        if (value["signatures"] is not JsonObject signatures)
        {
            signatures = [];
            value["signatures"] = signatures;
        }

        if (signatures[entity] is not JsonObject entitySignatures)
        {
            entitySignatures = [];
            signatures[entity] = entitySignatures;
        }

        entitySignatures[key.KeyId] = signature;
    }

    /// <summary>
    /// Whether <paramref name="value"/> carries a valid signature by <paramref name="entity"/> with key
    /// <paramref name="keyId"/>. Missing, malformed or wrong signatures are all simply <c>false</c>.
    /// </summary>
    public static bool Verify(JsonElement value, string entity, string keyId, ReadOnlySpan<byte> publicKey) =>
        Verify(value, entity, keyId, publicKey, SignedBytes(value));

    /// <summary>As <see cref="Verify(JsonElement, string, string, ReadOnlySpan{byte})"/> with the signed bytes already computed.</summary>
    public static bool Verify(JsonElement value, string entity, string keyId, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signedBytes) =>
        TryGetSignature(value, entity, keyId, out var signatureBytes) && Ed25519.Verify(signedBytes, signatureBytes, publicKey);

    private static bool TryGetSignature(JsonElement value, string entity, string keyId, out byte[] signatureBytes)
    {
        signatureBytes = [];
        try
        {
            return value.ValueKind == JsonValueKind.Object
                && value.TryGetProperty("signatures", out var signatures) && signatures.ValueKind == JsonValueKind.Object
                && signatures.TryGetProperty(entity, out var entitySignatures) && entitySignatures.ValueKind == JsonValueKind.Object
                && entitySignatures.TryGetProperty(keyId, out var signature) && signature.ValueKind == JsonValueKind.String
                && UnpaddedBase64.TryDecode(signature.GetString(), out signatureBytes);
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json throws this for a name or string that is not valid UTF-8 or holds an unpaired surrogate
            // escape: a malformed signature, which does not verify.
            return false;
        }
    }

    /// <summary>A parsed copy of a node, for canonical encoding.</summary>
    public static JsonElement ToElement(JsonNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var document = CanonicalJson.Parse(JsonSerializer.SerializeToUtf8Bytes(value), strict: false);
        return document.RootElement.Clone();
    }
}
