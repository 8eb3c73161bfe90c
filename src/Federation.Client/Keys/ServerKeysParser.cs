using System.Text.Json;
using Federation.Protocol.Crypto;
using Federation.Protocol.Json;

namespace Federation.Client.Keys;

/// <summary>
/// Reads a <c>/_matrix/key/v2/server</c> response and checks it: it must name the expected server and be signed by
/// that server with every key it lists as current.
/// </summary>
public static class ServerKeysParser
{
    /// <summary>Longest validity a receiver grants a key response, whatever the server claims (spec: 7 days).</summary>
    public static readonly TimeSpan MaxValidity = TimeSpan.FromDays(7);

    public static bool TryParse(JsonElement response, string expectedServer, DateTimeOffset fetchedAt, out IReadOnlyList<VerifyKey> keys, out string? error)
    {
        keys = [];
        try
        {
            // Every string read below, and the signed bytes, need text canonical JSON can encode: invalid UTF-8 or an
            // unpaired surrogate escape would otherwise throw from the middle of the checks.
            CanonicalJson.Validate(response, strict: false);
        }
        catch (CanonicalJsonException e)
        {
            error = "key response is not valid JSON: " + e.Message;
            return false;
        }

        if (response.ValueKind != JsonValueKind.Object
            || !response.TryGetProperty("server_name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            error = "key response has no server_name";
            return false;
        }

        if (name.GetString() != expectedServer)
        {
            error = $"key response names '{name.GetString()}', not '{expectedServer}'";
            return false;
        }

        if (!response.TryGetProperty("valid_until_ts", out var until) || until.ValueKind != JsonValueKind.Number || !until.TryGetInt64(out var untilMs))
        {
            error = "key response has no valid_until_ts";
            return false;
        }

        var validUntil = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(untilMs, 0, 253402300799999));
        if (validUntil > fetchedAt + MaxValidity)
        {
            validUntil = fetchedAt + MaxValidity;
        }

        var result = new List<VerifyKey>();
        if (!response.TryGetProperty("verify_keys", out var verifyKeys) || verifyKeys.ValueKind != JsonValueKind.Object)
        {
            error = "key response has no verify_keys";
            return false;
        }

        var signedBytes = JsonSigning.SignedBytes(response);
        foreach (var key in verifyKeys.EnumerateObject())
        {
            if (!TryReadKey(key.Value, out var publicKey))
            {
                error = $"verify key {key.Name} is not a base64 Ed25519 key";
                return false;
            }

            if (!JsonSigning.Verify(response, expectedServer, key.Name, publicKey, signedBytes))
            {
                error = $"key response is not signed by its key {key.Name}";
                return false;
            }

            result.Add(new VerifyKey(expectedServer, key.Name, publicKey, validUntil, ExpiredAt: null));
        }

        if (result.Count == 0)
        {
            error = "key response lists no verify key";
            return false;
        }

        if (response.TryGetProperty("old_verify_keys", out var oldKeys) && oldKeys.ValueKind == JsonValueKind.Object)
        {
            foreach (var key in oldKeys.EnumerateObject())
            {
                // A key id listed as current stays current, whatever the old list says.
                if (!verifyKeys.TryGetProperty(key.Name, out _) && TryReadKey(key.Value, out var publicKey)
                    && key.Value.TryGetProperty("expired_ts", out var expired) && expired.ValueKind == JsonValueKind.Number
                    && expired.TryGetInt64(out var expiredMs))
                {
                    var expiredAt = DateTimeOffset.FromUnixTimeMilliseconds(Math.Clamp(expiredMs, 0, 253402300799999));
                    result.Add(new VerifyKey(expectedServer, key.Name, publicKey, expiredAt, expiredAt));
                }
            }
        }

        keys = result;
        error = null;
        return true;
    }

    private static bool TryReadKey(JsonElement value, out byte[] publicKey)
    {
        publicKey = [];
        return value.ValueKind == JsonValueKind.Object
            && value.TryGetProperty("key", out var key) && key.ValueKind == JsonValueKind.String
            && UnpaddedBase64.TryDecode(key.GetString(), out publicKey) && publicKey.Length == Ed25519.PublicKeyLength;
    }
}
