using System.Text.Json;
using Federation.Client.Caching;
using Microsoft.Extensions.Options;

namespace Federation.Client.Discovery;

/// <summary>
/// Server discovery as the spec describes ("Resolving server names"): a configured fixed address first; then IP
/// literals and explicit ports as given; then <c>/.well-known/matrix/server</c> delegation (cached); then port 8448.
/// </summary>
/// <remarks>
/// SRV records (<c>_matrix-fed._tcp</c>) are not looked up: .NET has no SRV resolver and none is available to this
/// project, so a server that relies on SRV alone must be given a fixed address or a well-known file.
/// </remarks>
public sealed class ServerDiscovery(HttpClient wellKnownClient, IOptions<FederationClientOptions> options, TimeProvider time)
    : IServerResolver
{
    public const int DefaultPort = 8448;

    private static readonly TimeSpan WellKnownCacheDuration = TimeSpan.FromHours(24);
    private static readonly TimeSpan WellKnownFailureCacheDuration = TimeSpan.FromHours(1);
    private const int MaxWellKnownBytes = 50 * 1024;
    private static readonly TimeSpan WellKnownTimeout = TimeSpan.FromSeconds(10);

    private readonly BoundedCache<string, (string? Delegated, DateTimeOffset Expires)> _wellKnown =
        new(options.Value.MaxTrackedDestinations, StringComparer.Ordinal);

    public async Task<ResolvedServer> ResolveAsync(string serverName, CancellationToken cancellationToken)
    {
        if (options.Value.Destinations.TryGetValue(serverName, out var fixedAddress))
        {
            var uri = new Uri(fixedAddress, UriKind.Absolute);
            return new ResolvedServer(serverName, uri, uri.Authority);
        }

        if (!ServerNameParts.TryParse(serverName, out var parts))
        {
            throw new ArgumentException($"'{serverName}' is not a valid server name", nameof(serverName));
        }

        if (parts.IsIpLiteral || parts.Port is not null)
        {
            return Direct(serverName, parts, hostHeader: serverName);
        }

        var delegated = await DelegatedNameAsync(parts.Host, cancellationToken).ConfigureAwait(false);
        if (delegated is not null && ServerNameParts.TryParse(delegated, out var delegatedParts))
        {
            return Direct(serverName, delegatedParts, hostHeader: delegated);
        }

        return Direct(serverName, parts, hostHeader: parts.Host);
    }

    private static ResolvedServer Direct(string serverName, ServerNameParts parts, string hostHeader) =>
        new(serverName, new Uri($"https://{parts.UrlHost}:{parts.Port ?? DefaultPort}/"), hostHeader);

    private async Task<string?> DelegatedNameAsync(string host, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_wellKnown.TryGetValue(host, out var cached) && cached.Expires > now)
        {
            return cached.Delegated;
        }

        string? delegated = null;
        using var deadline = new CancellationTokenSource(WellKnownTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var response = await wellKnownClient
                .GetAsync(new Uri($"https://{host}/.well-known/matrix/server"), HttpCompletionOption.ResponseHeadersRead, linked.Token)
                .ConfigureAwait(false);
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentLength is null or <= MaxWellKnownBytes)
            {
                delegated = ReadDelegatedName(await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false));
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // No well-known file: fall back to the name itself, and do not ask again for a while.
        }

        _wellKnown.Set(host, (delegated, now + (delegated is null ? WellKnownFailureCacheDuration : WellKnownCacheDuration)));
        return delegated;
    }

    /// <summary>The body, or null when it is larger than a well-known file can reasonably be (read stops there).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxWellKnownBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length
                && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
            {
                length += read;
            }

            return length > MaxWellKnownBytes ? null : buffer[..length];
        }
    }

    private static string? ReadDelegatedName(byte[]? body)
    {
        if (body is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("m.server", out var server) && server.ValueKind == JsonValueKind.String
                ? server.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
