namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// A record of the reconciled set: a timestamp and a 32-byte id, ordered by timestamp, then id. The timestamp
/// <see cref="ulong.MaxValue"/> is reserved by the protocol for "infinity".
/// </summary>
public readonly record struct ReconciliationItem(ulong Timestamp, ItemId Id) : IComparable<ReconciliationItem>
{
    public int CompareTo(ReconciliationItem other)
    {
        var c = Timestamp.CompareTo(other.Timestamp);
        return c != 0 ? c : Id.CompareTo(other.Id);
    }

    public static bool operator <(ReconciliationItem left, ReconciliationItem right) => left.CompareTo(right) < 0;

    public static bool operator >(ReconciliationItem left, ReconciliationItem right) => left.CompareTo(right) > 0;

    public static bool operator <=(ReconciliationItem left, ReconciliationItem right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ReconciliationItem left, ReconciliationItem right) => left.CompareTo(right) >= 0;
}
