using System.Buffers.Binary;

namespace Federation.Storage.Dag.State;

/// <summary>
/// Parses a one-dimensional <c>bigint[]</c> in Postgres's binary array format (<c>array_send</c>). A state row's arrays
/// are read this way because the driver's general array reader costs a converter call per element, which dominated the
/// client's time for a 100k-entry row; this is one tight loop.
/// </summary>
internal static class BinaryBigintArray
{
    private const uint Int8Oid = 20;

    /// <exception cref="InvalidOperationException">The value is not a one-dimensional bigint array without nulls.</exception>
    public static long[] Parse(ReadOnlySpan<byte> value)
    {
        // Header: dimensions, has-nulls flag, element type; then per dimension its length and lower bound.
        var dimensions = BinaryPrimitives.ReadInt32BigEndian(value);
        var elementType = BinaryPrimitives.ReadUInt32BigEndian(value[8..]);
        if (dimensions == 0)
        {
            return [];
        }

        if (dimensions != 1 || elementType != Int8Oid || BinaryPrimitives.ReadInt32BigEndian(value[4..]) != 0)
        {
            throw new InvalidOperationException("Expected a one-dimensional bigint array without nulls.");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(value[12..]);
        var elements = value[20..];
        if (elements.Length != length * 12L)
        {
            throw new InvalidOperationException($"A bigint array of {length} elements has {elements.Length} bytes of elements.");
        }

        var result = new long[length];
        for (var i = 0; i < result.Length; i++)
        {
            // Each element: its length (always 8) and the value.
            result[i] = BinaryPrimitives.ReadInt64BigEndian(elements.Slice((i * 12) + 4, 8));
        }

        return result;
    }
}
