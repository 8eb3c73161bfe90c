using System.Runtime.InteropServices;

namespace Federation.Protocol.Crypto;

/// <summary>
/// The few libsodium functions this server needs, bound directly to the system library (Debian's libsodium23).
/// Ed25519 is libsodium's <c>crypto_sign</c>: 32-byte seeds and public keys, 64-byte secret keys and signatures.
/// </summary>
internal static partial class Sodium
{
    private const string Library = "libsodium.so.23";

    public const int PublicKeyBytes = 32;
    public const int SecretKeyBytes = 64;
    public const int SeedBytes = 32;
    public const int SignatureBytes = 64;

    private static readonly int InitResult = sodium_init();

    /// <summary>Throws unless libsodium initialised; <c>sodium_init</c> returns 1 when it already had.</summary>
    public static void EnsureInitialised()
    {
        if (InitResult < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise (sodium_init returned " + InitResult + ")");
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    public static unsafe partial int crypto_sign_seed_keypair(byte* publicKey, byte* secretKey, byte* seed);

    [LibraryImport(Library)]
    public static unsafe partial int crypto_sign_detached(
        byte* signature, ulong* signatureLength, byte* message, ulong messageLength, byte* secretKey);

    [LibraryImport(Library)]
    public static unsafe partial int crypto_sign_verify_detached(
        byte* signature, byte* message, ulong messageLength, byte* publicKey);

    [LibraryImport(Library)]
    public static unsafe partial void randombytes_buf(byte* buffer, nuint size);
}
