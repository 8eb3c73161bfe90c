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
}
