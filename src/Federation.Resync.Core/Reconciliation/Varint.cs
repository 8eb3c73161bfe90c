namespace Federation.Resync.Core.Reconciliation;

/// <summary>The protocol's unsigned varint: base-128 digits, most significant first, the high bit set on all but the last.</summary>
public static class Varint
{
    /// <summary>Bytes of the longest varint (a 64-bit value).</summary>
    public const int MaxLength = 10;

    /// <summary>Writes <paramref name="value"/> at the start of <paramref name="destination"/>.</summary>
    /// <returns>The bytes written.</returns>
    public static int Write(ulong value, Span<byte> destination)
    {
        var length = Length(value);
        for (var i = length - 1; i >= 0; i--)
        {
            destination[i] = (byte)((value & 0x7F) | (i == length - 1 ? 0UL : 0x80UL));
            value >>= 7;
        }

        return length;
    }

    public static int Length(ulong value)
    {
        var length = 1;
        while ((value >>= 7) != 0)
        {
            length++;
        }

        return length;
    }
}
