namespace Federation.Client.Keys;

/// <summary>Finds remote servers' verify keys, fetching and caching them as needed.</summary>
public interface IRemoteServerKeys
{
    /// <summary>
    /// The key <paramref name="keyId"/> of <paramref name="serverName"/> if it is known or can be fetched and is valid
    /// at <paramref name="validAt"/>; otherwise null.
    /// </summary>
    Task<VerifyKey?> GetAsync(string serverName, string keyId, DateTimeOffset validAt, CancellationToken cancellationToken);

    /// <summary>
    /// The last verified key response of <paramref name="serverName"/>, refetched first when it is missing or valid
    /// for less than <paramref name="minimumValidUntil"/>; null when none was ever obtained.
    /// </summary>
    Task<ServerKeysResponse?> GetResponseAsync(string serverName, DateTimeOffset minimumValidUntil, CancellationToken cancellationToken);
}
