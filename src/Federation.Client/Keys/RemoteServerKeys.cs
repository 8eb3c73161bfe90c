using System.Collections.Concurrent;
using Federation.Client.Caching;
using Federation.Client.Http;
using Federation.Protocol.Keys;
using Microsoft.Extensions.Options;

namespace Federation.Client.Keys;

/// <summary>
/// Remote verify keys, fetched directly from each server's <c>/_matrix/key/v2/server</c> and kept in memory until
/// they expire. Concurrent requests for one server share a single fetch. A response that fails its checks never
/// replaces keys already known. The last verified response of each server is kept as received, so that this server
/// can vouch for it to others (<c>/_matrix/key/v2/query</c>). This server's own current key is known without asking:
/// its events come back in other servers' answers (gap filling, rebuilding a room), and asking our own name over the
/// network may not even reach us.
/// </summary>
public sealed class RemoteServerKeys(FederationClient client, ServerIdentity identity, TimeProvider time, IOptions<FederationClientOptions> options)
    : IRemoteServerKeys
{
    /// <summary>Keys kept per tracked destination on average (current and old keys).</summary>
    private const int KeysPerServer = 4;

    private readonly BoundedCache<(string Server, string KeyId), VerifyKey> _keys = new(options.Value.MaxTrackedDestinations * KeysPerServer);
    private readonly ConcurrentDictionary<string, Lazy<Task>> _fetches = new(StringComparer.Ordinal);
    private readonly BoundedCache<string, ServerKeysResponse> _responses = new(options.Value.MaxTrackedDestinations, StringComparer.Ordinal);

    public async Task<VerifyKey?> GetAsync(string serverName, string keyId, DateTimeOffset validAt, CancellationToken cancellationToken)
    {
        if (serverName == identity.ServerName && keyId == identity.SigningKey.KeyId)
        {
            return new VerifyKey(serverName, keyId, identity.SigningKey.PublicKey, DateTimeOffset.MaxValue, ExpiredAt: null);
        }

        if (Known(serverName, keyId, validAt) is { } known)
        {
            return known;
        }

        await FetchOnceAsync(serverName, cancellationToken).ConfigureAwait(false);
        return Known(serverName, keyId, validAt);
    }

    public async Task<ServerKeysResponse?> GetResponseAsync(string serverName, DateTimeOffset minimumValidUntil, CancellationToken cancellationToken)
    {
        if (!_responses.TryGetValue(serverName, out var cached) || cached.ValidUntil < minimumValidUntil)
        {
            await FetchOnceAsync(serverName, cancellationToken).ConfigureAwait(false);
        }

        // When the origin cannot give a fresher answer, the last verified one is still the best evidence we have.
        return _responses.GetValueOrDefault(serverName);
    }

    private async Task FetchOnceAsync(string serverName, CancellationToken cancellationToken)
    {
        var fetch = _fetches.GetOrAdd(serverName, server => new Lazy<Task>(() => FetchAndForgetAsync(server)));
        await fetch.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The shared fetch leaves the in-flight map when it ends, not when a caller stops waiting: a cancelled caller
    /// must not make the next one start a second fetch while the first still runs.
    /// </summary>
    private async Task FetchAndForgetAsync(string serverName)
    {
        try
        {
            await FetchAsync(serverName).ConfigureAwait(false);
        }
        finally
        {
            _fetches.TryRemove(serverName, out _);
        }
    }

    private VerifyKey? Known(string serverName, string keyId, DateTimeOffset validAt) =>
        _keys.TryGetValue((serverName, keyId), out var key) && key.IsValidAt(validAt) ? key : null;

    private async Task FetchAsync(string serverName)
    {
        // Not tied to one caller's cancellation: other callers wait on the same fetch.
        using var response = await client
            .SendAsync(serverName, HttpMethod.Get, "/_matrix/key/v2/server", body: null, sign: false, CancellationToken.None)
            .ConfigureAwait(false);
        if (!response.IsSuccess
            || !ServerKeysParser.TryParse(response.Body!.RootElement, serverName, time.GetUtcNow(), out var keys, out _))
        {
            return;
        }

        foreach (var key in keys)
        {
            _keys.Set((serverName, key.KeyId), key);
        }

        var validUntil = keys.Where(k => k.ExpiredAt is null).Select(k => k.ValidUntil).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
        _responses.Set(serverName, new ServerKeysResponse(serverName, response.Body!.RootElement.Clone(), validUntil));
    }
}
