using Federation.Client.Keys;
using Federation.Protocol.Keys;

namespace Federation.Local.Tests.Joins;

/// <summary>Remote keys known in advance, without fetching: every listed server's key is valid forever.</summary>
public sealed class StaticServerKeys(params ServerIdentity[] servers) : IRemoteServerKeys
{
    public Task<VerifyKey?> GetAsync(string serverName, string keyId, DateTimeOffset validAt, CancellationToken cancellationToken) =>
        Task.FromResult(servers.FirstOrDefault(s => s.ServerName == serverName && s.SigningKey.KeyId == keyId) is { } server
            ? new VerifyKey(serverName, keyId, server.SigningKey.PublicKey, DateTimeOffset.MaxValue, null)
            : null);

    public Task<ServerKeysResponse?> GetResponseAsync(string serverName, DateTimeOffset minimumValidUntil, CancellationToken cancellationToken) =>
        Task.FromResult<ServerKeysResponse?>(null);
}
