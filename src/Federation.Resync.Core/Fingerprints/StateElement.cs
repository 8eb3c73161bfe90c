using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Federation.Resync.Core.Fingerprints;

/// <summary>
/// How MSC4500 turns one entry of a state map into lattice lanes: the element is
/// <c>u16le len(type) ‖ type ‖ u16le len(state_key) ‖ state_key ‖ event_id</c> (UTF-8), prefixed with a domain tag
/// and expanded with SHAKE256 to 2048 bytes, read as 1024 little-endian u16 lanes. The shape variant leaves the event
/// id out and uses its own tag, so it only says which slots are occupied.
/// </summary>
public static class StateElement
{
    /// <summary>Bytes of one expansion (and of a lattice).</summary>
    public const int ExpansionSize = StateLattice.Size;

    /// <summary>Domain tag of the main accumulator.</summary>
    public static ReadOnlySpan<byte> StateTag => "msc4500_lthash16\0"u8;

    /// <summary>Domain tag of the advisory shape accumulator (occupied slots only).</summary>
    public static ReadOnlySpan<byte> ShapeTag => "msc4500_lthash16_shape\0"u8;

    /// <summary>Longest field the two-byte length prefix can describe; no field of a valid PDU comes near it.</summary>
    public const int MaxFieldBytes = ushort.MaxValue;

    /// <summary>The encoded element of a state entry (no domain tag).</summary>
    public static byte[] Encode(string type, string stateKey, string eventId)
    {
        var buffer = new byte[EncodedLength(type, stateKey, eventId)];
        Write(buffer, type, stateKey, eventId);
        return buffer;
    }

    /// <summary>The encoded shape element of an occupied slot (no event id, no domain tag).</summary>
    public static byte[] EncodeShape(string type, string stateKey)
    {
        var buffer = new byte[EncodedLength(type, stateKey, null)];
        Write(buffer, type, stateKey, null);
        return buffer;
    }

    /// <summary>SHAKE256(<see cref="StateTag"/> ‖ element) into <paramref name="expansion"/> (2048 bytes).</summary>
    public static void Expand(string type, string stateKey, string eventId, Span<byte> expansion) =>
        ExpandWith(StateTag, type, stateKey, eventId, expansion);

    /// <summary>SHAKE256(<see cref="ShapeTag"/> ‖ shape element) into <paramref name="expansion"/> (2048 bytes).</summary>
    public static void ExpandShape(string type, string stateKey, Span<byte> expansion) =>
        ExpandWith(ShapeTag, type, stateKey, null, expansion);

    private static void ExpandWith(ReadOnlySpan<byte> tag, string type, string stateKey, string? eventId, Span<byte> expansion)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(stateKey);
        if (expansion.Length != ExpansionSize)
        {
            throw new ArgumentException($"An expansion is {ExpansionSize} bytes.", nameof(expansion));
        }

        var length = tag.Length + EncodedLength(type, stateKey, eventId);
        var rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        var input = rented is null ? stackalloc byte[length] : rented.AsSpan(0, length);
        try
        {
            tag.CopyTo(input);
            Write(input[tag.Length..], type, stateKey, eventId);
            Shake256.HashData(input, expansion);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int EncodedLength(string type, string stateKey, string? eventId) =>
        2 + FieldLength(type, nameof(type)) + 2 + FieldLength(stateKey, nameof(stateKey))
        + (eventId is null ? 0 : Encoding.UTF8.GetByteCount(eventId));

    private static int FieldLength(string field, string name)
    {
        var length = Encoding.UTF8.GetByteCount(field);
        return length <= MaxFieldBytes
            ? length
            : throw new ArgumentException($"A state element field is at most {MaxFieldBytes} bytes of UTF-8.", name);
    }

    private static void Write(Span<byte> destination, string type, string stateKey, string? eventId)
    {
        var written = WriteField(destination, type);
        written += WriteField(destination[written..], stateKey);
        if (eventId is not null)
        {
            Encoding.UTF8.GetBytes(eventId, destination[written..]);
        }
    }

    private static int WriteField(Span<byte> destination, string field)
    {
        var length = Encoding.UTF8.GetBytes(field, destination[2..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)length);
        return 2 + length;
    }
}
