namespace Federation.Client.Keys;

/// <summary>A remote server's public key and how long it may be trusted.</summary>
/// <param name="ServerName">The server the key belongs to.</param>
/// <param name="KeyId">The key id, for example <c>ed25519:abc</c>.</param>
/// <param name="PublicKey">The 32-byte Ed25519 public key.</param>
/// <param name="ValidUntil">The end of validity for current keys (already capped at fetch time + 7 days).</param>
/// <param name="ExpiredAt">For an old key, when it stopped being used; it only verifies events from before then.</param>
public sealed record VerifyKey(string ServerName, string KeyId, byte[] PublicKey, DateTimeOffset ValidUntil, DateTimeOffset? ExpiredAt)
{
    /// <summary>Whether the key may verify something made at <paramref name="at"/>.</summary>
    public bool IsValidAt(DateTimeOffset at) => ExpiredAt is { } expired ? at < expired : at <= ValidUntil;
}
