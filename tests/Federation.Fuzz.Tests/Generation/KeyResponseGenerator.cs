using System.Text.Json.Nodes;
using Federation.Fuzz.Tests.Harness;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>
/// Valid <c>/_matrix/key/v2/server</c> responses of <see cref="FuzzKeys.Origin"/>: one or two current keys, each
/// signing the response, and maybe old keys with their expiry.
/// </summary>
public static class KeyResponseGenerator
{
    /// <summary>The moment responses are treated as fetched at.</summary>
    public static DateTimeOffset FetchedAt { get; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static (byte[] Text, IReadOnlyDictionary<string, byte[]> CurrentKeys) Next(FuzzRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var signers = new List<SigningKey> { FuzzKeys.Origin.SigningKey };
        if (random.OneIn(3))
        {
            signers.Add(SigningKey.FromSeed(RandomText.Identifier(random), random.NextBytes(32)));
        }

        var verifyKeys = new JsonObject();
        foreach (var key in signers)
        {
            verifyKeys[key.KeyId] = new JsonObject { ["key"] = key.PublicKeyBase64 };
        }

        var response = new JsonObject
        {
            ["server_name"] = FuzzKeys.Origin.ServerName,
            ["valid_until_ts"] = FetchedAt.ToUnixTimeMilliseconds() + random.NextInt64(-1_000_000, 30L * 24 * 3600 * 1000),
            ["verify_keys"] = verifyKeys,
        };
        if (random.NextBool())
        {
            var old = SigningKey.FromSeed("old" + RandomText.Identifier(random), random.NextBytes(32));
            response["old_verify_keys"] = new JsonObject
            {
                [old.KeyId] = new JsonObject { ["key"] = old.PublicKeyBase64, ["expired_ts"] = random.NextInt64(0, 2_000_000_000_000) },
            };
        }

        foreach (var key in signers)
        {
            JsonSigning.Sign(response, FuzzKeys.Origin.ServerName, key);
        }

        var text = random.NextBool() ? CanonicalJson.Encode(JsonSigning.ToElement(response)) : JsonTextFormatter.Write(random, response);
        return (text, signers.ToDictionary(k => k.KeyId, k => k.PublicKey, StringComparer.Ordinal));
    }
}
