using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Json;

namespace Federation.Protocol.Tests.Json;

public class JsonSigningTests
{
    [Theory]
    [InlineData("{}", "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ")]
    [InlineData("{\"one\":1,\"two\":\"Two\"}", "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw")]
    public void Sign_reproduces_the_spec_json_signing_vectors(string json, string expectedSignature)
    {
        var value = JsonNode.Parse(json)!.AsObject();
        JsonSigning.Sign(value, SpecVectors.ServerName, SpecVectors.Key);
        Assert.Equal(expectedSignature, value["signatures"]!["domain"]!["ed25519:1"]!.GetValue<string>());
    }

    [Fact]
    public void Verify_accepts_the_signature_it_made_and_ignores_unsigned()
    {
        var value = JsonNode.Parse("{\"one\":1,\"unsigned\":{\"age\":5}}")!.AsObject();
        JsonSigning.Sign(value, "domain", SpecVectors.Key);
        value["unsigned"] = new JsonObject { ["age"] = 99 };
        var element = JsonSigning.ToElement(value);
        Assert.True(JsonSigning.Verify(element, "domain", "ed25519:1", SpecVectors.Key.PublicKey));
    }

    [Theory]
    [InlineData("{\"one\":2,\"signatures\":{\"domain\":{\"ed25519:1\":\"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw\"}},\"two\":\"Two\"}")]
    [InlineData("{\"one\":1,\"signatures\":{\"domain\":{\"ed25519:1\":\"not base64!\"}},\"two\":\"Two\"}")]
    [InlineData("{\"one\":1,\"signatures\":{\"domain\":{\"ed25519:1\":\"AAAA\"}},\"two\":\"Two\"}")]
    [InlineData("{\"one\":1,\"signatures\":{\"other\":{\"ed25519:1\":\"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw\"}},\"two\":\"Two\"}")]
    [InlineData("{\"one\":1,\"signatures\":\"nope\",\"two\":\"Two\"}")]
    [InlineData("{\"one\":1,\"two\":\"Two\"}")]
    public void Verify_is_false_for_tampered_missing_or_malformed_signatures(string json)
    {
        using var document = JsonDocument.Parse(json);
        Assert.False(JsonSigning.Verify(document.RootElement, "domain", "ed25519:1", SpecVectors.Key.PublicKey));
    }

    [Fact]
    public void Verify_is_false_for_a_public_key_of_the_wrong_length()
    {
        var value = JsonNode.Parse("{}")!.AsObject();
        JsonSigning.Sign(value, "domain", SpecVectors.Key);
        Assert.False(JsonSigning.Verify(JsonSigning.ToElement(value), "domain", "ed25519:1", new byte[31]));
    }

    [Fact]
    public void Sign_keeps_existing_signatures_of_other_servers()
    {
        var value = JsonNode.Parse("{\"signatures\":{\"other\":{\"ed25519:x\":\"abc\"}}}")!.AsObject();
        JsonSigning.Sign(value, "domain", SpecVectors.Key);
        Assert.Equal("abc", value["signatures"]!["other"]!["ed25519:x"]!.GetValue<string>());
        Assert.NotNull(value["signatures"]!["domain"]!["ed25519:1"]);
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' })]
    public void Verify_is_false_not_an_exception_for_a_signature_or_key_id_that_is_not_valid_text(byte[] badText)
    {
        // Found by fuzzing: reading such a string threw InvalidOperationException out of Verify.
        byte[] asSignature = [.. "{\"signatures\":{\"domain\":{\"ed25519:1\":\""u8, .. badText, .. "\"}}}"u8];
        byte[] asKeyId = [.. "{\"signatures\":{\"domain\":{\""u8, .. badText, .. "\":\"x\"}}}"u8];

        foreach (var json in new[] { asSignature, asKeyId })
        {
            using var document = JsonDocument.Parse(json);
            Assert.False(JsonSigning.Verify(document.RootElement, "domain", "ed25519:1", SpecVectors.Key.PublicKey, []));
        }
    }
}
