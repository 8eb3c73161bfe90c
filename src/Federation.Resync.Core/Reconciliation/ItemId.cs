using System.Buffers.Binary;

namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// A 32-byte record id of the reconciliation protocol, kept as four big-endian words so that comparing the words
/// compares the bytes lexically, as the protocol orders ids.
/// </summary>
public readonly struct ItemId : IEquatable<ItemId>, IComparable<ItemId>
{
    public const int Size = 32;

    private readonly ulong _w0;
    private readonly ulong _w1;
    private readonly ulong _w2;
    private readonly ulong _w3;

    private ItemId(ulong w0, ulong w1, ulong w2, ulong w3)
    {
        _w0 = w0;
        _w1 = w1;
        _w2 = w2;
        _w3 = w3;
    }

    /// <summary>The id of exactly 32 bytes.</summary>
    public static ItemId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size)
        {
            throw new ArgumentException($"An id is {Size} bytes, not {bytes.Length}", nameof(bytes));
        }

        return FromPrefix(bytes);
    }

    /// <summary>The id whose first bytes are <paramref name="prefix"/> (at most 32) and the rest zero.</summary>
    public static ItemId FromPrefix(ReadOnlySpan<byte> prefix)
    {
        Span<byte> padded = stackalloc byte[Size];
        prefix.CopyTo(padded);
        return new ItemId(
            BinaryPrimitives.ReadUInt64BigEndian(padded),
            BinaryPrimitives.ReadUInt64BigEndian(padded[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(padded[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(padded[24..]));
    }

    /// <summary>Word <paramref name="index"/> (0–3) of the id read as a little-endian 256-bit number, least significant first.</summary>
    internal ulong LittleEndianLimb(int index) => BinaryPrimitives.ReverseEndianness(index switch
    {
        0 => _w0,
        1 => _w1,
        2 => _w2,
        _ => _w3,
    });

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _w0);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _w1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], _w2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], _w3);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>How many leading bytes this id and <paramref name="other"/> share (32 when equal).</summary>
    public int SharedPrefixLength(ItemId other)
    {
        Span<byte> mine = stackalloc byte[Size];
        Span<byte> theirs = stackalloc byte[Size];
        WriteTo(mine);
        other.WriteTo(theirs);
        return mine.CommonPrefixLength(theirs);
    }

    public int CompareTo(ItemId other)
    {
        var c = _w0.CompareTo(other._w0);
        if (c != 0)
        {
            return c;
        }

        c = _w1.CompareTo(other._w1);
        if (c != 0)
        {
            return c;
        }

        c = _w2.CompareTo(other._w2);
        return c != 0 ? c : _w3.CompareTo(other._w3);
    }

    public bool Equals(ItemId other) => _w0 == other._w0 && _w1 == other._w1 && _w2 == other._w2 && _w3 == other._w3;

    public override bool Equals(object? obj) => obj is ItemId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_w0, _w1, _w2, _w3);

    public override string ToString() => Convert.ToHexStringLower(ToArray());

    public static bool operator ==(ItemId left, ItemId right) => left.Equals(right);

    public static bool operator !=(ItemId left, ItemId right) => !left.Equals(right);

    public static bool operator <(ItemId left, ItemId right) => left.CompareTo(right) < 0;

    public static bool operator >(ItemId left, ItemId right) => left.CompareTo(right) > 0;

    public static bool operator <=(ItemId left, ItemId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ItemId left, ItemId right) => left.CompareTo(right) >= 0;
}
