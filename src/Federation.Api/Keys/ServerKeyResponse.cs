using System.Text.Json.Nodes;
using Federation.Protocol.Keys;
using Federation.Protocol.Json;

namespace Federation.Api.Keys;

/// <summary>
/// The body of <c>GET /_matrix/key/v2/server</c>: our verify keys, their validity, and our signature over both.
/// </summary>
public static class ServerKeyResponse
{
    /// <summary>Builds and signs the response valid until <paramref name="validUntil"/>.</summary>
    public static byte[] Build(ServerIdentity identity, DateTimeOffset validUntil)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var key = identity.SigningKey;
        var response = new JsonObject
        {
            ["server_name"] = identity.ServerName,
            ["valid_until_ts"] = validUntil.ToUnixTimeMilliseconds(),
            ["verify_keys"] = new JsonObject { [key.KeyId] = new JsonObject { ["key"] = key.PublicKeyBase64 } },
            // Always present, even when empty: some servers treat a missing object as a malformed response.
            ["old_verify_keys"] = new JsonObject(),
        };
        JsonSigning.Sign(response, identity.ServerName, key);
        return CanonicalJson.Encode(JsonSigning.ToElement(response));
    }
}
