using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Federation.Resync.Core.Fingerprints;

/// <summary>
/// MSC4500's LtHash16 lattice: 1024 u16 lanes (2048 bytes, little-endian) summed lane-wise with wrapping arithmetic.
/// Adding and removing an element expansion commute, so the lattice of a set does not depend on the order its elements
/// came in, and a change costs one expansion and one lane pass whatever the set's size. Mutable; not thread-safe.
/// </summary>
public sealed class StateLattice
{
    /// <summary>Bytes of a lattice.</summary>
    public const int Size = 2048;

    /// <summary>Lanes of a lattice.</summary>
    public const int Lanes = Size / sizeof(ushort);

    private readonly byte[] bytes;

    private StateLattice(byte[] bytes) => this.bytes = bytes;

    /// <summary>The raw lattice, as stored and sent (little-endian lanes).</summary>
    public ReadOnlySpan<byte> Bytes => bytes;

    /// <summary>The lattice of the empty set: all zeros.</summary>
    public static StateLattice Empty() => new(new byte[Size]);

    /// <summary>A lattice from its 2048 raw bytes (copied).</summary>
    public static StateLattice FromBytes(ReadOnlySpan<byte> raw) =>
        raw.Length == Size ? new StateLattice(raw.ToArray()) : throw new ArgumentException($"A lattice is {Size} bytes, not {raw.Length}.", nameof(raw));

    /// <summary>An independent copy.</summary>
    public StateLattice Clone() => new((byte[])bytes.Clone());

    /// <summary>The raw bytes as a new array.</summary>
    public byte[] ToArray() => (byte[])bytes.Clone();

    /// <summary>Adds the state entry (type, state key, event id).</summary>
    public void Add(string type, string stateKey, string eventId)
    {
        Span<byte> expansion = stackalloc byte[Size];
        StateElement.Expand(type, stateKey, eventId, expansion);
        AddExpansion(expansion);
    }

    /// <summary>Removes the state entry (type, state key, event id); the caller knows it is in the set.</summary>
    public void Remove(string type, string stateKey, string eventId)
    {
        Span<byte> expansion = stackalloc byte[Size];
        StateElement.Expand(type, stateKey, eventId, expansion);
        SubtractExpansion(expansion);
    }

    /// <summary>Lane-wise wrapping addition of an expansion or of another lattice.</summary>
    public void AddExpansion(ReadOnlySpan<byte> expansion) => Combine(expansion, subtract: false);

    /// <summary>Lane-wise wrapping subtraction of an expansion or of another lattice.</summary>
    public void SubtractExpansion(ReadOnlySpan<byte> expansion) => Combine(expansion, subtract: true);

    /// <summary>BLAKE2b-256 of the raw lattice.</summary>
    public StateDigest Digest()
    {
        Span<byte> digest = stackalloc byte[StateDigest.Size];
        Blake2b.Hash256(bytes, digest);
        return StateDigest.FromBytes(digest);
    }

    /// <summary>True when both lattices hold the same lanes.</summary>
    public bool SameAs(StateLattice other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return bytes.AsSpan().SequenceEqual(other.bytes);
    }

    private void Combine(ReadOnlySpan<byte> other, bool subtract)
    {
        if (other.Length != Size)
        {
            throw new ArgumentException($"An expansion is {Size} bytes, not {other.Length}.", nameof(other));
        }

        if (!BitConverter.IsLittleEndian)
        {
            CombineScalar(other, subtract);
            return;
        }

        // Lanes are little-endian, as is the machine: whole vectors of u16 add and subtract with wrapping in one pass.
        var target = MemoryMarshal.Cast<byte, Vector<ushort>>(bytes.AsSpan());
        var source = MemoryMarshal.Cast<byte, Vector<ushort>>(other);
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = subtract ? target[i] - source[i] : target[i] + source[i];
        }
    }

    private void CombineScalar(ReadOnlySpan<byte> other, bool subtract)
    {
        for (var offset = 0; offset < Size; offset += sizeof(ushort))
        {
            var lane = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset));
            var value = BinaryPrimitives.ReadUInt16LittleEndian(other[offset..]);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), unchecked((ushort)(subtract ? lane - value : lane + value)));
        }
    }
}
