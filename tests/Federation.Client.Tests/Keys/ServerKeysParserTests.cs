using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Client.Keys;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;

namespace Federation.Client.Tests.Keys;

public class ServerKeysParserTests
{
    private static readonly SigningKey Key = SigningKey.FromSeed("a", new byte[32]);
    private static readonly DateTimeOffset FetchedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonObject Response(JsonNode? validUntil, JsonObject? oldKeys = null)
    {
        var response = new JsonObject
        {
            ["server_name"] = "remote.test",
            ["valid_until_ts"] = validUntil,
            ["verify_keys"] = new JsonObject { [Key.KeyId] = new JsonObject { ["key"] = Key.PublicKeyBase64 } },
        };
        if (oldKeys is not null)
        {
            response["old_verify_keys"] = oldKeys;
        }

        JsonSigning.Sign(response, "remote.test", Key);
        return response;
    }

    [Theory]
    [InlineData("\"1767225600000\"")]
    [InlineData("null")]
    [InlineData("[]")]
    public void A_response_whose_valid_until_ts_is_not_a_number_is_refused_with_an_error(string validUntil)
    {
        // Found by fuzzing: TryGetInt64 on a string threw InvalidOperationException out of TryParse.
        var response = JsonSigning.ToElement(Response(JsonNode.Parse(validUntil)));

        Assert.False(ServerKeysParser.TryParse(response, "remote.test", FetchedAt, out var keys, out var error));
        Assert.Empty(keys);
        Assert.Contains("valid_until_ts", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_old_key_whose_expired_ts_is_not_a_number_is_skipped()
    {
        var old = SigningKey.FromSeed("old", Enumerable.Repeat((byte)1, 32).ToArray());
        var oldKeys = new JsonObject { [old.KeyId] = new JsonObject { ["key"] = old.PublicKeyBase64, ["expired_ts"] = "soon" } };
        var response = JsonSigning.ToElement(Response(FetchedAt.ToUnixTimeMilliseconds() + 1000, oldKeys));

        Assert.True(ServerKeysParser.TryParse(response, "remote.test", FetchedAt, out var keys, out var error), error);
        Assert.Equal([Key.KeyId], keys.Select(k => k.KeyId));
    }

    public static TheoryData<byte[]> UnreadableKeyMembers() => new()
    {
        "\"key\":\"\\ud800\""u8.ToArray(),
        "\"k\\udc00\":1"u8.ToArray(),
        "\"key\":\""u8.ToArray().Concat(new byte[] { 0xC3, 0x28, (byte)'"' }).ToArray(),
    };

    [Theory]
    [MemberData(nameof(UnreadableKeyMembers))]
    public void A_response_with_invalid_utf8_or_an_unpaired_surrogate_is_refused_with_an_error(byte[] member)
    {
        // Found by fuzzing: reading or signing such a string threw InvalidOperationException or CanonicalJsonException.
        var text = CanonicalJson.Encode(JsonSigning.ToElement(Response(FetchedAt.ToUnixTimeMilliseconds() + 1000)));
        var keyMember = Encoding.UTF8.GetBytes($"\"key\":\"{Key.PublicKeyBase64}\"");
        var at = text.AsSpan().IndexOf(keyMember);
        byte[] hostile = [.. text.AsSpan(0, at), .. member, .. text.AsSpan(at + keyMember.Length)];
        using var document = JsonDocument.Parse(hostile);

        Assert.False(ServerKeysParser.TryParse(document.RootElement, "remote.test", FetchedAt, out var keys, out var error));
        Assert.Empty(keys);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
