using System.Globalization;
using Federation.Fuzz.Tests.Harness;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>Valid server names (spec appendix "Server Name"): DNS names, IPv4 and bracketed IPv6 literals, each with an optional port.</summary>
public static class ServerNameGenerator
{
    public static (string Name, string Host, int? Port) Next(FuzzRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var host = random.Next(4) switch
        {
            0 => string.Join('.', Enumerable.Range(0, 4).Select(_ => random.Next(256).ToString(CultureInfo.InvariantCulture))),
            1 => random.Pick(new[] { "[::1]", "[2001:db8::1]", "[fe80::a:b:c:d]", "[::ffff:192.0.2.1]", "[2001:DB8:0:0:8:800:200C:417A]" }),
            _ => string.Join('.', Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomText.Identifier(random) + (random.OneIn(4) ? "-x" : ""))),
        };
        int? port = random.NextBool() ? random.Next(1, 65536) : null;
        return (port is null ? host : $"{host}:{port.Value.ToString(CultureInfo.InvariantCulture)}", host, port);
    }
}
