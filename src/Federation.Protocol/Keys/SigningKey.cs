using System.Text.RegularExpressions;
using Federation.Protocol.Crypto;

namespace Federation.Protocol.Keys;

/// <summary>
/// A server's Ed25519 signing key, named <c>ed25519:&lt;version&gt;</c>. The seed is the secret; it is stored in the
/// same one-line format Synapse uses (<c>ed25519 &lt;version&gt; &lt;unpadded base64 seed&gt;</c>), so operators can move keys between servers.
/// </summary>
public sealed partial class SigningKey
{
    private readonly byte[] _secretKey;

    private SigningKey(string version, byte[] seed)
    {
        if (!IsValidVersion(version))
        {
            throw new ArgumentException($"Key version '{version}' must be 1–255 characters of [a-zA-Z0-9_]", nameof(version));
        }

        Version = version;
        (PublicKey, _secretKey) = Ed25519.KeyPairFromSeed(seed);
        Seed = seed;
    }

    /// <summary>The algorithm-free part of the key id, for example <c>a_AbCd</c>.</summary>
    public string Version { get; }

    /// <summary>The key id as used in signatures: <c>ed25519:&lt;version&gt;</c>.</summary>
    public string KeyId => "ed25519:" + Version;

    public byte[] PublicKey { get; }

    /// <summary>The public key in unpadded standard base64, as published in <c>verify_keys</c>.</summary>
    public string PublicKeyBase64 => UnpaddedBase64.Encode(PublicKey);

    private byte[] Seed { get; }

    /// <summary>A key from a known 32-byte seed.</summary>
    public static SigningKey FromSeed(string version, ReadOnlySpan<byte> seed) => new(version, seed.ToArray());

    /// <summary>A new random key.</summary>
    public static SigningKey Generate(string version) => new(version, Ed25519.GenerateSeed());

    /// <summary>Reads the first key from key-file text (<c>ed25519 &lt;version&gt; &lt;seed&gt;</c> per line).</summary>
    /// <exception cref="FormatException">The text holds no well-formed Ed25519 key line.</exception>
    public static SigningKey Parse(string keyFileText)
    {
        ArgumentNullException.ThrowIfNull(keyFileText);
        foreach (var rawLine in keyFileText.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[0] != "ed25519")
            {
                throw new FormatException("A signing key line reads 'ed25519 <version> <base64 seed>'");
            }

            if (!UnpaddedBase64.TryDecode(parts[2], out var seed) || seed.Length != Ed25519.SeedLength)
            {
                throw new FormatException($"The seed of key ed25519:{parts[1]} is not {Ed25519.SeedLength} bytes of base64");
            }

            if (!IsValidVersion(parts[1]))
            {
                throw new FormatException($"Key version '{parts[1]}' must be 1–255 characters of [a-zA-Z0-9_]");
            }

            return new SigningKey(parts[1], seed);
        }

        throw new FormatException("The key file holds no signing key");
    }

    /// <summary>The key-file line for this key (contains the secret seed).</summary>
    public string ToKeyFileLine() => $"ed25519 {Version} {UnpaddedBase64.Encode(Seed)}";

    /// <summary>Signs raw bytes.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Sign(message, _secretKey);

    public static bool IsValidVersion(string version) => version.Length is > 0 and <= 255 && VersionPattern().IsMatch(version);

    [GeneratedRegex("^[a-zA-Z0-9_]+$")]
    private static partial Regex VersionPattern();
}
