using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Crypto;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;

namespace Federation.Protocol.Authentication;

/// <summary>
/// Signs and checks federation requests: the signature covers the canonical JSON of
/// <c>{method, uri, origin, destination, content?}</c>, where <c>uri</c> is the request target as sent
/// (path and query, no scheme or host) and <c>content</c> the parsed body, present only when there is one.
/// </summary>
public static class RequestSigning
{
    /// <summary>The canonical bytes a request signature covers.</summary>
    public static byte[] SignedBytes(string method, string uri, string origin, string destination, JsonElement? content)
    {
        var request = new JsonObject
        {
            ["method"] = method,
            ["uri"] = uri,
            ["origin"] = origin,
            ["destination"] = destination,
        };
        if (content is { } body)
        {
            request["content"] = JsonNode.Parse(body.GetRawText());
        }

        return CanonicalJson.Encode(JsonSigning.ToElement(request));
    }

    /// <summary>The Authorization header for a request we send.</summary>
    public static XMatrixAuthorization Sign(
        string method, string uri, string origin, string destination, JsonElement? content, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(SignedBytes(method, uri, origin, destination, content));
        return new XMatrixAuthorization(origin, destination, key.KeyId, UnpaddedBase64.Encode(signature));
    }

    /// <summary>Whether a received request's signature verifies with <paramref name="publicKey"/>.</summary>
    public static bool Verify(
        XMatrixAuthorization authorization, string method, string uri, string destination, JsonElement? content, ReadOnlySpan<byte> publicKey)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (!UnpaddedBase64.TryDecode(authorization.Signature, out var signature))
        {
            return false;
        }

        var signed = SignedBytes(method, uri, authorization.Origin, destination, content);
        return Ed25519.Verify(signed, signature, publicKey);
    }
}
