namespace Federation.Resync.Core.Reconciliation;

/// <summary>Reads one message; timestamps are deltas on the previous bound, starting from 0 in every message.</summary>
internal ref struct MessageReader(ReadOnlySpan<byte> message)
{
    private ReadOnlySpan<byte> _rest = message;
    private ulong _lastTimestamp;

    public readonly bool AtEnd => _rest.IsEmpty;

    public byte ReadByte()
    {
        var value = Take(1)[0];
        return value;
    }

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _rest.Length < count)
        {
            throw new ReconciliationFormatException("The message ends early");
        }

        var taken = _rest[..count];
        _rest = _rest[count..];
        return taken;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var i = 0; ; i++)
        {
            if (i == Varint.MaxLength)
            {
                throw new ReconciliationFormatException("A varint is longer than 64 bits");
            }

            var digit = ReadByte();
            value = (value << 7) | (digit & 0x7FUL);
            if ((digit & 0x80) == 0)
            {
                return value;
            }
        }
    }

    public RangeBound ReadBound()
    {
        var encoded = ReadVarint();
        // 0 is infinity; otherwise 1 + the offset from the previous bound, saturating at infinity.
        var timestamp = unchecked((encoded == 0 ? ulong.MaxValue : encoded - 1) + _lastTimestamp);
        if (timestamp < _lastTimestamp)
        {
            timestamp = ulong.MaxValue;
        }

        _lastTimestamp = timestamp;
        var length = ReadVarint();
        if (length > ItemId.Size)
        {
            throw new ReconciliationFormatException($"An id prefix is {length} bytes; at most {ItemId.Size}");
        }

        return new RangeBound(timestamp, ItemId.FromPrefix(Take((int)length)), (int)length);
    }

    public ReconciliationMode ReadMode() => ReadVarint() switch
    {
        0 => ReconciliationMode.Skip,
        1 => ReconciliationMode.Fingerprint,
        2 => ReconciliationMode.IdList,
        var other => throw new ReconciliationFormatException($"Unknown range mode {other}"),
    };

    public Fingerprint ReadFingerprint() => Fingerprint.FromBytes(Take(Fingerprint.Size));

    public ItemId ReadId() => ItemId.FromBytes(Take(ItemId.Size));

    /// <summary>The count of an id list, checked against what is left of the message.</summary>
    public int ReadIdCount()
    {
        var count = ReadVarint();
        if (count > (ulong)(_rest.Length / ItemId.Size))
        {
            throw new ReconciliationFormatException($"An id list of {count} ids does not fit in the message");
        }

        return (int)count;
    }
}
