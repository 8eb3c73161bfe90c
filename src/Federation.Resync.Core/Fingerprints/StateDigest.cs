using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Federation.Resync.Core.Fingerprints;

/// <summary>The 32-byte BLAKE2b-256 collapse of a state lattice (MSC4500), compared by value; lower-case hex on the wire.</summary>
public readonly record struct StateDigest(ulong Part0, ulong Part1, ulong Part2, ulong Part3)
{
    /// <summary>Bytes in a digest.</summary>
    public const int Size = 32;

    /// <summary>The digest of the empty state (2048 zero bytes collapsed): a constant of the algorithm, the same in every
    /// room, so agreeing on it says nothing about a room.</summary>
    public static StateDigest Empty { get; } = StateLattice.Empty().Digest();

    /// <summary>Reads a digest from its 32 bytes.</summary>
    public static StateDigest FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"A state digest is {Size} bytes, not {bytes.Length}.", nameof(bytes));
        }

        return new StateDigest(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    /// <summary>Parses 64 hex digits (either case); false for anything else.</summary>
    public static bool TryParse([NotNullWhen(true)] string? hex, out StateDigest digest)
    {
        digest = default;
        if (hex is null || hex.Length != 2 * Size)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Size];
        for (var i = 0; i < Size; i++)
        {
            if (!byte.TryParse(hex.AsSpan(2 * i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return false;
            }
        }

        digest = FromBytes(bytes);
        return true;
    }

    /// <summary>The 32 bytes, in order.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Part0);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), Part1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(16), Part2);
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(24), Part3);
        return bytes;
    }

    /// <summary>64 lower-case hex digits, as MSC4500 puts digests on the wire.</summary>
    public override string ToString() => Convert.ToHexStringLower(ToBytes());
}
