namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// The exclusive upper bound of a range: a timestamp and the first <see cref="IdLength"/> bytes of an id, the rest
/// taken as zero. Items below it are those ordered before (timestamp, padded id).
/// </summary>
public readonly record struct RangeBound(ulong Timestamp, ItemId PaddedId, int IdLength)
{
    /// <summary>The bound past every item: the infinity timestamp.</summary>
    public static RangeBound Infinity { get; } = new(ulong.MaxValue, default, 0);

    /// <summary>The bound exactly at <paramref name="item"/> (whole id).</summary>
    public static RangeBound At(ReconciliationItem item) => new(item.Timestamp, item.Id, ItemId.Size);

    /// <summary>
    /// The shortest bound that separates <paramref name="previous"/> from <paramref name="current"/> (the next item):
    /// the timestamp alone when they differ, else the id prefix one byte longer than the shared one.
    /// </summary>
    public static RangeBound Between(ReconciliationItem previous, ReconciliationItem current)
    {
        if (previous.Timestamp != current.Timestamp)
        {
            return new RangeBound(current.Timestamp, default, 0);
        }

        var length = Math.Min(previous.Id.SharedPrefixLength(current.Id) + 1, ItemId.Size);
        Span<byte> id = stackalloc byte[ItemId.Size];
        current.Id.WriteTo(id);
        return new RangeBound(current.Timestamp, ItemId.FromPrefix(id[..length]), length);
    }

    /// <summary>The (timestamp, zero-padded id) point the bound stands for.</summary>
    public ReconciliationItem AsItem => new(Timestamp, PaddedId);
}
