using System.Buffers.Binary;

namespace Federation.Resync.Core.Reconciliation;

/// <summary>The 16-byte digest of the ids in a range (see <see cref="IdSum.ToFingerprint"/>).</summary>
public readonly record struct Fingerprint(ulong High, ulong Low)
{
    public const int Size = 16;

    public static Fingerprint FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == Size
            ? new Fingerprint(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]))
            : throw new ArgumentException($"A fingerprint is {Size} bytes, not {bytes.Length}", nameof(bytes));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        WriteTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }
}
