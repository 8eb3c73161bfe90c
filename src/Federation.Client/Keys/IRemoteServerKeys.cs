namespace Federation.Client.Keys;

/// <summary>Finds remote servers' verify keys, fetching and caching them as needed.</summary>
public interface IRemoteServerKeys
{
    /// <summary>
    /// The key <paramref name="keyId"/> of <paramref name="serverName"/> if it is known or can be fetched and is valid
    /// at <paramref name="validAt"/>; otherwise null.
    /// </summary>
    Task<VerifyKey?> GetAsync(string serverName, string keyId, DateTimeOffset validAt, CancellationToken cancellationToken);
}
