using System.Net;

namespace Federation.Host.Listening;

/// <summary>
/// Federation traffic must be TLS. Plain HTTP is accepted on loopback (development, or behind a local reverse proxy)
/// and elsewhere only when the operator says a TLS-terminating proxy sits in front (<c>Server:AllowPlainHttp</c>).
/// </summary>
public static class ListenAddressPolicy
{
    /// <summary>The address used when no listener is configured at all.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8008";

    /// <summary>The URLs the server will listen on, from <c>Urls</c> and <c>Kestrel:Endpoints:*:Url</c>.</summary>
    public static IReadOnlyList<string> ConfiguredUrls(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = new List<string>();
        if (configuration["urls"] is { Length: > 0 } list)
        {
            urls.AddRange(list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                urls.Add(url);
            }
        }

        return urls;
    }

    /// <summary>The plain-HTTP URLs among <paramref name="urls"/> that are not bound to a loopback address.</summary>
    public static IReadOnlyList<string> PlainHttpOnNonLoopback(IEnumerable<string> urls) =>
        urls.Where(url => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !IsLoopback(url)).ToArray();

    private static bool IsLoopback(string url)
    {
        // Kestrel accepts wildcard hosts such as http://*:8008 and http://+:8008, which Uri cannot parse.
        var host = url["http://".Length..].Split('/')[0];
        host = host.StartsWith('[') ? host[1..host.IndexOf(']', StringComparison.Ordinal)] : host.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }
}
