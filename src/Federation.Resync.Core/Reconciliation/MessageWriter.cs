namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// Writes one message; bounds carry their timestamp as an offset on the previous bound's. A range being written can be
/// taken back (<see cref="Truncate"/>) when it would break the frame-size limit.
/// </summary>
internal sealed class MessageWriter
{
    private byte[] _buffer = new byte[256];
    private ulong _lastTimestamp;

    public int Length { get; private set; }

    public void WriteByte(byte value) => Reserve(1)[0] = value;

    public void WriteVarint(ulong value)
    {
        var length = Varint.Length(value);
        Varint.Write(value, Reserve(length));
    }

    public void WriteBound(RangeBound bound)
    {
        if (bound.Timestamp == ulong.MaxValue)
        {
            _lastTimestamp = ulong.MaxValue;
            WriteVarint(0);
        }
        else
        {
            WriteVarint(bound.Timestamp - _lastTimestamp + 1);
            _lastTimestamp = bound.Timestamp;
        }

        WriteVarint((ulong)bound.IdLength);
        Span<byte> id = stackalloc byte[ItemId.Size];
        bound.PaddedId.WriteTo(id);
        id[..bound.IdLength].CopyTo(Reserve(bound.IdLength));
    }

    public void WriteMode(ReconciliationMode mode) => WriteVarint((ulong)mode);

    public void WriteFingerprint(Fingerprint fingerprint) => fingerprint.WriteTo(Reserve(Fingerprint.Size));

    public void WriteId(ItemId id) => id.WriteTo(Reserve(ItemId.Size));

    /// <summary>Drops what was written after the first <paramref name="length"/> bytes.</summary>
    public void Truncate(int length) => Length = Math.Min(Length, length);

    public byte[] ToArray() => _buffer.AsSpan(0, Length).ToArray();

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
