using System.Text.Json.Nodes;
using Federation.Fuzz.Tests.Harness;
using Federation.Protocol.Authentication;
using Federation.Protocol.Json;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>Valid transactions from <see cref="FuzzKeys.Origin"/> to <see cref="FuzzKeys.Destination"/>, signed as a request.</summary>
public static class TransactionGenerator
{
    public const string Method = "PUT";

    public static GeneratedTransaction Next(FuzzRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var pdus = Enumerable.Range(0, random.Next(5)).Select(_ => SignedPduGenerator.Next(random)).ToList();
        var edus = new JsonArray();
        for (var i = random.Next(3); i > 0; i--)
        {
            edus.Add(new JsonObject
            {
                ["edu_type"] = "m.typing",
                ["content"] = new JsonObject { ["room_id"] = "!r:" + FuzzKeys.Origin.ServerName, ["typing"] = random.NextBool() },
            });
        }

        var body = new JsonObject
        {
            ["origin"] = FuzzKeys.Origin.ServerName,
            ["origin_server_ts"] = random.NextInt64(0, 4_000_000_000_000),
            ["pdus"] = new JsonArray([.. pdus.Select(p => JsonNode.Parse(p.Text))]),
            ["edus"] = edus,
        };
        var uri = "/_matrix/federation/v1/send/" + RandomText.Identifier(random);
        var bodyText = random.NextBool() ? CanonicalJson.Encode(JsonSigning.ToElement(body)) : JsonTextFormatter.Write(random, body);
        var authorization = RequestSigning.Sign(
            Method, uri, FuzzKeys.Origin.ServerName, FuzzKeys.Destination.ServerName, JsonSigning.ToElement(body), FuzzKeys.Origin.SigningKey);
        return new GeneratedTransaction(uri, authorization.ToHeaderValue(), bodyText, [.. pdus.Select(p => p.Version)]);
    }
}
