using System.Text.Json.Nodes;
using Federation.Fuzz.Tests.Harness;
using Federation.Protocol.Json;

namespace Federation.Fuzz.Tests.Mutation;

/// <summary>
/// Changes one field of an event before it is signed, so that the signature is valid and only the parser's own
/// checks stand between the value and the rest of the server: wrong types, ids without their sigil, negative or
/// out-of-range integers, fields missing or added, lists of the wrong shape, identifiers past the size limits.
/// </summary>
public static class HostileFields
{
    private static readonly string[] TopLevel =
    [
        "type", "sender", "state_key", "room_id", "origin_server_ts", "depth", "content", "prev_events", "auth_events",
        "redacts", "event_id", "hashes", "signatures", "unsigned", "origin", "membership", "prev_state",
    ];

    private static readonly string[] ContentKeys = ["membership", "redacts", "creator", "room_version", "join_authorised_via_users_server", "users", "third_party_invite", "signed"];

    private static Func<JsonNode?>[] Values { get; } =
    [
        () => null, () => true, () => 0, () => -1, () => long.MaxValue, () => long.MinValue, () => CanonicalJson.MaxSafeInteger + 1,
        () => 1.5, () => "", () => "x", () => "$", () => "@:", () => "@a:", () => "@a:b", () => "!a:b", () => "$a:b", () => "$$:$",
        () => new JsonArray(), () => new JsonObject(), () => new JsonArray("$x"), () => new JsonArray(new JsonArray("$a:b")),
        () => new JsonArray(new JsonArray()), () => new JsonArray(1), () => new JsonArray(new JsonArray(1, new JsonObject())),
        () => new JsonObject { ["a"] = 1 }, () => Deep(63), () => Deep(70), () => "@" + new string('a', 300) + ":b",
        () => new string('t', 300), () => "$" + new string('e', 70_000), () => Many(25), () => Many(5_000),
    ];

    /// <summary>Sets, replaces or removes one top-level or content field of <paramref name="pdu"/>; returns what it did.</summary>
    public static string Apply(FuzzRandom random, JsonObject pdu)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(pdu);
        var inContent = random.OneIn(3) && pdu["content"] is JsonObject;
        var target = inContent ? pdu["content"]!.AsObject() : pdu;
        var name = random.Pick(inContent ? ContentKeys : TopLevel);
        if (random.OneIn(4))
        {
            target.Remove(name);
            return $"removed {(inContent ? "content." : "")}{name}";
        }

        var index = random.Next(Values.Length);
        target[name] = Values[index]();
        return $"{(inContent ? "content." : "")}{name} := hostile value #{index}";
    }

    private static JsonNode Deep(int depth)
    {
        JsonNode node = new JsonObject();
        for (var i = 1; i < depth; i++)
        {
            node = new JsonObject { ["a"] = node };
        }

        return node;
    }

    private static JsonArray Many(int count) => [.. Enumerable.Range(0, count).Select(i => (JsonNode)$"$e{i}:b")];
}
