using System.Text.Json;
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
    /// <exception cref="CanonicalJsonException">The content cannot be encoded canonically (invalid strings, too deep).</exception>
    public static byte[] SignedBytes(string method, string uri, string origin, string destination, JsonElement? content)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(origin);
        ArgumentNullException.ThrowIfNull(destination);

        // Written directly, keys in canonical order, rather than through a JsonNode copy of the body: the copy threw
        // a different exception for each kind of malformed body a remote server can send.
        using var buffer = new PooledBufferWriter();
        buffer.Write((byte)'{');
        if (content is { } body)
        {
            CanonicalJson.WriteMember("content"u8, body, buffer);
            buffer.Write((byte)',');
        }

        WriteMember("destination", destination, buffer, first: true);
        WriteMember("method", method, buffer, first: false);
        WriteMember("origin", origin, buffer, first: false);
        WriteMember("uri", uri, buffer, first: false);
        buffer.Write((byte)'}');
        return buffer.ToArray();
    }

    private static void WriteMember(string name, string value, PooledBufferWriter buffer, bool first)
    {
        if (!first)
        {
            buffer.Write((byte)',');
        }

        CanonicalJson.WriteString(name, buffer);
        buffer.Write((byte)':');
        CanonicalJson.WriteString(value, buffer);
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

        byte[] signed;
        try
        {
            signed = SignedBytes(method, uri, authorization.Origin, destination, content);
        }
        catch (CanonicalJsonException)
        {
            // A body canonical JSON cannot encode cannot have been signed.
            return false;
        }

        return Ed25519.Verify(signed, signature, publicKey);
    }
}
