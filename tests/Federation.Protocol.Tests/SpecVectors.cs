using Federation.Protocol.Crypto;
using Federation.Protocol.Keys;

namespace Federation.Protocol.Tests;

/// <summary>The key of the spec appendix "Cryptographic Test Vectors".</summary>
internal static class SpecVectors
{
    public const string Seed = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
    public const string ServerName = "domain";
    public const string KeyId = "ed25519:1";

    public static SigningKey Key { get; } = SigningKey.FromSeed("1", UnpaddedBase64.Decode(Seed));
}
