using System.Text.Json.Nodes;
using Federation.Fuzz.Tests.Harness;
using Federation.Protocol.Json;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>
/// Random JSON values that canonical JSON accepts: unique keys, well-formed strings and, in strict mode, integers
/// within ±(2^53−1) only. Lenient values also hold fractions, exponents and integers beyond 2^53.
/// </summary>
public static class JsonNodeGenerator
{
    public static JsonNode? Value(FuzzRandom random, bool strict, int depth = 0)
    {
        ArgumentNullException.ThrowIfNull(random);
        var kind = random.Next(depth >= 5 ? 5 : 7);
        return kind switch
        {
            0 => null,
            1 => random.NextBool(),
            2 => JsonValue.Create(RandomText.Next(random, 12)),
            3 or 4 => Number(random, strict),
            5 => ObjectOf(random, strict, depth + 1, maxMembers: 6),
            _ => Array(random, strict, depth + 1),
        };
    }

    public static JsonObject ObjectOf(FuzzRandom random, bool strict, int depth, int maxMembers)
    {
        ArgumentNullException.ThrowIfNull(random);
        var result = new JsonObject();
        var count = random.Next(maxMembers + 1);
        for (var i = 0; i < count; i++)
        {
            var key = random.OneIn(4) ? RandomText.Next(random, 6) : RandomText.Identifier(random);
            result[key] = Value(random, strict, depth);
        }

        return result;
    }

    private static JsonArray Array(FuzzRandom random, bool strict, int depth)
    {
        var result = new JsonArray();
        var count = random.Next(5);
        for (var i = 0; i < count; i++)
        {
            result.Add(Value(random, strict, depth));
        }

        return result;
    }

    private static JsonValue Number(FuzzRandom random, bool strict)
    {
        if (strict || random.NextBool())
        {
            return random.Next(4) switch
            {
                0 => JsonValue.Create(random.NextInt64(-100, 100)),
                1 => JsonValue.Create(random.NextInt64(-CanonicalJson.MaxSafeInteger, CanonicalJson.MaxSafeInteger)),
                2 => JsonValue.Create(random.NextBool() ? CanonicalJson.MaxSafeInteger : -CanonicalJson.MaxSafeInteger),
                _ => JsonValue.Create(random.NextInt64(0, 1_000_000)),
            };
        }

        return random.Next(3) switch
        {
            0 => JsonValue.Create(random.Next(-1000, 1000) / 8.0),
            1 => JsonValue.Create(long.MaxValue - random.Next(1000)),
            _ => JsonValue.Create(random.NextInt64(1, 1000) * 1e15),
        };
    }
}
