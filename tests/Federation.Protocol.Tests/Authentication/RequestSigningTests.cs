using System.Text.Json;
using Federation.Protocol.Authentication;

namespace Federation.Protocol.Tests.Authentication;

public class RequestSigningTests
{
    private static readonly JsonElement Body = JsonDocument.Parse("{\"pdus\":[],\"edus\":[]}").RootElement;

    [Fact]
    public void SignedBytes_is_the_canonical_request_object_with_content_only_when_there_is_a_body()
    {
        var withBody = RequestSigning.SignedBytes("PUT", "/_matrix/federation/v1/send/1", "a", "b", Body);
        var withoutBody = RequestSigning.SignedBytes("GET", "/_matrix/federation/v1/event/$x?y=1", "a", "b", null);

        Assert.Equal(
            "{\"content\":{\"edus\":[],\"pdus\":[]},\"destination\":\"b\",\"method\":\"PUT\",\"origin\":\"a\",\"uri\":\"/_matrix/federation/v1/send/1\"}",
            System.Text.Encoding.UTF8.GetString(withBody));
        Assert.Equal(
            "{\"destination\":\"b\",\"method\":\"GET\",\"origin\":\"a\",\"uri\":\"/_matrix/federation/v1/event/$x?y=1\"}",
            System.Text.Encoding.UTF8.GetString(withoutBody));
    }

    [Fact]
    public void A_signed_request_verifies_with_the_signers_key()
    {
        var authorization = RequestSigning.Sign("PUT", "/_matrix/federation/v1/send/1", "domain", "b", Body, SpecVectors.Key);

        Assert.Equal("domain", authorization.Origin);
        Assert.Equal("ed25519:1", authorization.KeyId);
        Assert.True(RequestSigning.Verify(authorization, "PUT", "/_matrix/federation/v1/send/1", "b", Body, SpecVectors.Key.PublicKey));
    }

    [Theory]
    [InlineData("POST", "/_matrix/federation/v1/send/1", "b", true)]
    [InlineData("PUT", "/_matrix/federation/v1/send/2", "b", true)]
    [InlineData("PUT", "/_matrix/federation/v1/send/1", "c", true)]
    [InlineData("PUT", "/_matrix/federation/v1/send/1", "b", false)]
    public void Verify_fails_when_method_uri_destination_or_body_differ(string method, string uri, string destination, bool sameBody)
    {
        var authorization = RequestSigning.Sign("PUT", "/_matrix/federation/v1/send/1", "domain", "b", Body, SpecVectors.Key);
        var body = sameBody ? Body : JsonDocument.Parse("{\"pdus\":[1]}").RootElement;

        Assert.False(RequestSigning.Verify(authorization, method, uri, destination, body, SpecVectors.Key.PublicKey));
    }

    [Fact]
    public void Verify_is_false_for_a_signature_that_is_not_base64()
    {
        var authorization = new XMatrixAuthorization("domain", "b", "ed25519:1", "!!");
        Assert.False(RequestSigning.Verify(authorization, "GET", "/x", "b", null, SpecVectors.Key.PublicKey));
    }

    [Theory]
    [InlineData("{\"pdus\":[\"\\ud800\"]}")]
    [InlineData("{\"pdus\\udc00\":[]}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    public void Verify_is_false_not_an_exception_for_a_body_canonical_json_cannot_encode_or_that_has_duplicate_keys(string body)
    {
        // Found by fuzzing: the signed bytes were built through a JsonNode copy of the body, which threw
        // InvalidOperationException, JsonException or CanonicalJsonException for such bodies (a 500 instead of a 401).
        var authorization = RequestSigning.Sign("PUT", "/_matrix/federation/v1/send/1", "domain", "b", Body, SpecVectors.Key);
        using var document = JsonDocument.Parse(body);

        Assert.False(RequestSigning.Verify(authorization, "PUT", "/_matrix/federation/v1/send/1", "b", document.RootElement, SpecVectors.Key.PublicKey));
    }

    [Fact]
    public void Verify_is_false_not_an_exception_for_a_body_with_invalid_utf8_or_nested_to_the_transport_limit()
    {
        var authorization = RequestSigning.Sign("PUT", "/x", "domain", "b", Body, SpecVectors.Key);
        byte[] invalidUtf8 = [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var nested = new string('[', 64) + new string(']', 64);

        foreach (var body in new[] { invalidUtf8, System.Text.Encoding.UTF8.GetBytes(nested) })
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
            Assert.False(RequestSigning.Verify(authorization, "PUT", "/x", "b", document.RootElement, SpecVectors.Key.PublicKey));
        }
    }
}
