using System.Buffers.Binary;
using System.Text;

namespace Federation.Storage.Dag.State;

/// <summary>
/// The <c>state_groups.event_ids</c> encoding: for each id, its UTF-8 length as two little-endian bytes, then the
/// bytes (an emptied slot is the empty string). One value per row, parsed in one pass; a <c>text[]</c> costs the
/// database and the client a per-element header and a per-element converter call.
/// </summary>
internal static class PackedEventIds
{
    public static byte[] Pack(IReadOnlyList<string> ids)
    {
        var size = 0;
        foreach (var id in ids)
        {
            size += 2 + Encoding.UTF8.GetByteCount(id);
        }

        var packed = new byte[size];
        var at = 0;
        foreach (var id in ids)
        {
            var length = Encoding.UTF8.GetBytes(id, packed.AsSpan(at + 2));
            if (length > ushort.MaxValue)
            {
                throw new ArgumentException($"Event id of {length} bytes is too long to store.", nameof(ids));
            }

            BinaryPrimitives.WriteUInt16LittleEndian(packed.AsSpan(at), (ushort)length);
            at += 2 + length;
        }

        return packed;
    }

    /// <exception cref="InvalidOperationException">The value does not hold exactly <paramref name="count"/> ids.</exception>
    public static string[] Unpack(ReadOnlySpan<byte> packed, int count)
    {
        var ids = new string[count];
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (packed.Length - at < 2)
            {
                throw new InvalidOperationException($"Packed event ids end after {i} of {count}.");
            }

            var length = BinaryPrimitives.ReadUInt16LittleEndian(packed[at..]);
            at += 2;
            if (packed.Length - at < length)
            {
                throw new InvalidOperationException($"Packed event ids end inside id {i} of {count}.");
            }

            ids[i] = length == 0 ? string.Empty : Encoding.UTF8.GetString(packed.Slice(at, length));
            at += length;
        }

        return at == packed.Length
            ? ids
            : throw new InvalidOperationException($"Packed event ids hold more than {count} ids.");
    }
}
