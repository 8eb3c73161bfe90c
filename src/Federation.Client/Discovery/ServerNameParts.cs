using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace Federation.Client.Discovery;

/// <summary>A server name split into host and optional port (<c>example.org</c>, <c>1.2.3.4:8448</c>, <c>[::1]:8448</c>).</summary>
public sealed record ServerNameParts(string Host, int? Port)
{
    /// <summary>Whether the host is an IPv4 or IPv6 literal.</summary>
    public bool IsIpLiteral => IPAddress.TryParse(Host.Trim('[', ']'), out _);

    /// <summary>The host as it goes into a URL (IPv6 literals keep their brackets).</summary>
    public string UrlHost => Host;

    public static bool TryParse(string? serverName, [NotNullWhen(true)] out ServerNameParts? parts)
    {
        parts = null;
        if (string.IsNullOrEmpty(serverName) || serverName.Length > 255)
        {
            return false;
        }

        string host;
        string? port = null;
        if (serverName[0] == '[')
        {
            var close = serverName.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(serverName[1..close], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }

            host = serverName[..(close + 1)];
            if (close + 1 < serverName.Length)
            {
                if (serverName[close + 1] != ':')
                {
                    return false;
                }

                port = serverName[(close + 2)..];
            }
        }
        else
        {
            var colon = serverName.LastIndexOf(':');
            host = colon < 0 ? serverName : serverName[..colon];
            port = colon < 0 ? null : serverName[(colon + 1)..];
            if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
            {
                return false;
            }
        }

        int? portNumber = null;
        if (port is not null)
        {
            if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit)
                || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is 0 or > 65535)
            {
                return false;
            }

            portNumber = value;
        }

        parts = new ServerNameParts(host, portNumber);
        return true;
    }
}
