namespace Federation.Protocol.Crypto;

/// <summary>Ed25519 signing and verification through the system libsodium.</summary>
public static class Ed25519
{
    public const int SeedLength = Sodium.SeedBytes;
    public const int PublicKeyLength = Sodium.PublicKeyBytes;
    public const int SignatureLength = Sodium.SignatureBytes;

    /// <summary>Derives the 32-byte public key and 64-byte libsodium secret key from a 32-byte seed.</summary>
    /// <exception cref="ArgumentException">The seed is not 32 bytes.</exception>
    public static unsafe (byte[] PublicKey, byte[] SecretKey) KeyPairFromSeed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"An Ed25519 seed is {SeedLength} bytes, got {seed.Length}", nameof(seed));
        }

        Sodium.EnsureInitialised();
        var publicKey = new byte[PublicKeyLength];
        var secretKey = new byte[Sodium.SecretKeyBytes];
        fixed (byte* pk = publicKey)
        fixed (byte* sk = secretKey)
        fixed (byte* s = seed)
        {
            if (Sodium.crypto_sign_seed_keypair(pk, sk, s) != 0)
            {
                throw new InvalidOperationException("crypto_sign_seed_keypair failed");
            }
        }

        return (publicKey, secretKey);
    }

    /// <summary>A new random seed from libsodium's CSPRNG.</summary>
    public static unsafe byte[] GenerateSeed()
    {
        Sodium.EnsureInitialised();
        var seed = new byte[SeedLength];
        fixed (byte* s = seed)
        {
            Sodium.randombytes_buf(s, SeedLength);
        }

        return seed;
    }

    /// <summary>Signs <paramref name="message"/> with a 64-byte libsodium secret key.</summary>
    public static unsafe byte[] Sign(ReadOnlySpan<byte> message, ReadOnlySpan<byte> secretKey)
    {
        if (secretKey.Length != Sodium.SecretKeyBytes)
        {
            throw new ArgumentException($"An Ed25519 secret key is {Sodium.SecretKeyBytes} bytes, got {secretKey.Length}", nameof(secretKey));
        }

        Sodium.EnsureInitialised();
        var signature = new byte[SignatureLength];
        fixed (byte* sig = signature)
        fixed (byte* m = message)
        fixed (byte* sk = secretKey)
        {
            ulong length;
            if (Sodium.crypto_sign_detached(sig, &length, m, (ulong)message.Length, sk) != 0)
            {
                throw new InvalidOperationException("crypto_sign_detached failed");
            }
        }

        return signature;
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is a valid signature of <paramref name="message"/> by <paramref name="publicKey"/>.
    /// Wrong lengths are simply invalid: remote input never throws here.
    /// </summary>
    public static unsafe bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> publicKey)
    {
        if (signature.Length != SignatureLength || publicKey.Length != PublicKeyLength)
        {
            return false;
        }

        Sodium.EnsureInitialised();
        fixed (byte* sig = signature)
        fixed (byte* m = message)
        fixed (byte* pk = publicKey)
        {
            return Sodium.crypto_sign_verify_detached(sig, m, (ulong)message.Length, pk) == 0;
        }
    }
}
