using System.Text;
using Federation.Fuzz.Tests.Harness;
using Federation.Protocol.Authentication;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>
/// Valid X-Matrix headers in every spelling RFC 9110 auth-params allow: any parameter order and name case, values
/// quoted (with backslash escapes) or bare tokens, optional whitespace around <c>=</c> and commas, unknown parameters.
/// </summary>
public static class XMatrixHeaderGenerator
{
    public static (string Header, XMatrixAuthorization Expected) Next(FuzzRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var expected = new XMatrixAuthorization(
            Value(random),
            random.OneIn(4) ? null : Value(random),
            "ed25519:" + RandomText.Identifier(random),
            Convert.ToBase64String(random.NextBytes(64)).TrimEnd('='));
        if (random.OneIn(4))
        {
            return (expected.ToHeaderValue(), expected);
        }

        var parameters = new List<(string Name, string Value)>
        {
            ("origin", expected.Origin), ("key", expected.KeyId), ("sig", expected.Signature),
        };
        if (expected.Destination is not null)
        {
            parameters.Add(("destination", expected.Destination));
        }

        if (random.OneIn(3))
        {
            parameters.Add(("x-" + RandomText.Identifier(random), Value(random)));
        }

        var shuffled = parameters.OrderBy(_ => random.NextUInt64()).ToList();
        var header = new StringBuilder(random.NextBool() ? XMatrixAuthorization.Scheme : "x-matrix").Append(random.OneIn(4) ? "\t" : " ");
        for (var i = 0; i < shuffled.Count; i++)
        {
            if (i > 0)
            {
                header.Append(Space(random)).Append(',').Append(Space(random));
            }

            var (name, value) = shuffled[i];
            header.Append(random.OneIn(3) ? name.ToUpperInvariant() : name).Append(Space(random)).Append('=').Append(Space(random));
            header.Append(IsToken(value) && random.NextBool() ? value : Quote(value));
        }

        return (header.ToString(), expected);
    }

    private static string Value(FuzzRandom random) => random.Next(4) switch
    {
        0 => RandomText.Identifier(random) + ".example.org",
        1 => $"{RandomText.Identifier(random)}.example:{random.Next(1, 65536)}",
        2 => "[::1]:8448",
        _ => RandomText.Next(random, 10).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal) + "x",
    };

    private static string Space(FuzzRandom random) => random.OneIn(4) ? random.Pick(new[] { " ", "\t", "  " }) : "";

    private static bool IsToken(string value) => value.Length > 0 && value.All(c => c is > ' ' and < '\x7F' and not ('"' or ',' or '\\' or '='));

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
