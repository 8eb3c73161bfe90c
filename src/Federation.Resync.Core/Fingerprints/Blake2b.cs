using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Federation.Resync.Core.Fingerprints;

/// <summary>
/// BLAKE2b (RFC 7693), sequential mode, with an optional key: the collapse function of MSC4500's accumulator. The base
/// class library has no BLAKE2b and no package providing it restores here, so it lives in the repository, checked
/// against the RFC's test vectors. Not thread-safe; one instance hashes one message.
/// </summary>
public sealed class Blake2b
{
    /// <summary>Bytes per compressed block.</summary>
    public const int BlockSize = 128;

    /// <summary>Largest digest and key, in bytes.</summary>
    public const int MaxLength = 64;

    private static readonly ulong[] InitialVector =
    [
        0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
        0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
    ];

    // The message word schedule of the 12 rounds (rounds 10 and 11 repeat 0 and 1), row after row.
    private static ReadOnlySpan<byte> Sigma =>
    [
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
        11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4,
        7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8,
        9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13,
        2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9,
        12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11,
        13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10,
        6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5,
        10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3,
    ];

    private readonly ulong[] state = new ulong[8];
    private readonly byte[] buffer = new byte[BlockSize];
    private readonly int outputLength;
    private int buffered;
    private ulong counterLow;
    private ulong counterHigh;
    private bool finished;

    /// <summary>Starts a hash of <paramref name="outputLength"/> bytes (1–64), keyed when <paramref name="key"/> is not
    /// empty (at most 64 bytes).</summary>
    public Blake2b(int outputLength, ReadOnlySpan<byte> key = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(outputLength, MaxLength);
        if (key.Length > MaxLength)
        {
            throw new ArgumentException($"A BLAKE2b key is at most {MaxLength} bytes.", nameof(key));
        }

        this.outputLength = outputLength;
        InitialVector.CopyTo(state, 0);
        // Parameter block: digest length, key length, fanout 1, depth 1 (sequential mode).
        state[0] ^= 0x01010000UL ^ ((ulong)key.Length << 8) ^ (ulong)outputLength;
        if (!key.IsEmpty)
        {
            // The key, padded with zeros, is the first block.
            key.CopyTo(buffer);
            buffered = BlockSize;
        }
    }

    /// <summary>BLAKE2b-256 of <paramref name="data"/> into <paramref name="digest"/> (32 bytes).</summary>
    public static void Hash256(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        var hash = new Blake2b(32);
        hash.Update(data);
        hash.Finish(digest);
    }

    /// <summary>Unkeyed or keyed BLAKE2b of <paramref name="data"/>, <paramref name="outputLength"/> bytes.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data, int outputLength, ReadOnlySpan<byte> key = default)
    {
        var hash = new Blake2b(outputLength, key);
        hash.Update(data);
        var digest = new byte[outputLength];
        hash.Finish(digest);
        return digest;
    }

    /// <summary>Adds <paramref name="data"/> to the message.</summary>
    public void Update(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(finished, this);
        while (!data.IsEmpty)
        {
            // A full buffer is compressed only once more data follows: the last block must be compressed as last.
            if (buffered == BlockSize)
            {
                AddToCounter(BlockSize);
                Compress(buffer, last: false);
                buffered = 0;
            }

            var take = Math.Min(BlockSize - buffered, data.Length);
            data[..take].CopyTo(buffer.AsSpan(buffered));
            buffered += take;
            data = data[take..];
        }
    }

    /// <summary>Writes the digest to <paramref name="digest"/> (at least the output length). The instance is spent.</summary>
    public void Finish(Span<byte> digest)
    {
        ObjectDisposedException.ThrowIf(finished, this);
        if (digest.Length < outputLength)
        {
            throw new ArgumentException($"The digest needs {outputLength} bytes.", nameof(digest));
        }

        finished = true;
        AddToCounter((ulong)buffered);
        buffer.AsSpan(buffered).Clear();
        Compress(buffer, last: true);
        Span<byte> full = stackalloc byte[MaxLength];
        for (var i = 0; i < state.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(full[(8 * i)..], state[i]);
        }

        full[..outputLength].CopyTo(digest);
    }

    private void AddToCounter(ulong bytes)
    {
        counterLow += bytes;
        if (counterLow < bytes)
        {
            counterHigh++;
        }
    }

    // The working vector lives in locals and the mixing function is inlined: the collapse of a lattice is 16 blocks,
    // and array-indexed state made it several times slower.
    private void Compress(ReadOnlySpan<byte> block, bool last)
    {
        Span<ulong> m = stackalloc ulong[16];
        for (var i = 0; i < 16; i++)
        {
            m[i] = BinaryPrimitives.ReadUInt64LittleEndian(block[(8 * i)..]);
        }

        ulong v0 = state[0], v1 = state[1], v2 = state[2], v3 = state[3], v4 = state[4], v5 = state[5], v6 = state[6], v7 = state[7];
        ulong v8 = InitialVector[0], v9 = InitialVector[1], v10 = InitialVector[2], v11 = InitialVector[3];
        ulong v12 = InitialVector[4] ^ counterLow, v13 = InitialVector[5] ^ counterHigh;
        ulong v14 = last ? ~InitialVector[6] : InitialVector[6], v15 = InitialVector[7];
        var sigma = Sigma;
        for (var round = 0; round < 12; round++)
        {
            var s = sigma.Slice(16 * round, 16);
            Mix(ref v0, ref v4, ref v8, ref v12, m[s[0]], m[s[1]]);
            Mix(ref v1, ref v5, ref v9, ref v13, m[s[2]], m[s[3]]);
            Mix(ref v2, ref v6, ref v10, ref v14, m[s[4]], m[s[5]]);
            Mix(ref v3, ref v7, ref v11, ref v15, m[s[6]], m[s[7]]);
            Mix(ref v0, ref v5, ref v10, ref v15, m[s[8]], m[s[9]]);
            Mix(ref v1, ref v6, ref v11, ref v12, m[s[10]], m[s[11]]);
            Mix(ref v2, ref v7, ref v8, ref v13, m[s[12]], m[s[13]]);
            Mix(ref v3, ref v4, ref v9, ref v14, m[s[14]], m[s[15]]);
        }

        state[0] ^= v0 ^ v8;
        state[1] ^= v1 ^ v9;
        state[2] ^= v2 ^ v10;
        state[3] ^= v3 ^ v11;
        state[4] ^= v4 ^ v12;
        state[5] ^= v5 ^ v13;
        state[6] ^= v6 ^ v14;
        state[7] ^= v7 ^ v15;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mix(ref ulong a, ref ulong b, ref ulong c, ref ulong d, ulong x, ulong y)
    {
        a += b + x;
        d = BitOperations.RotateRight(d ^ a, 32);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 24);
        a += b + y;
        d = BitOperations.RotateRight(d ^ a, 16);
        c += d;
        b = BitOperations.RotateRight(b ^ c, 63);
    }
}
