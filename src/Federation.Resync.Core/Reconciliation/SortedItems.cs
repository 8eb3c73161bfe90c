namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// Items in a sorted array with the prefix sums of their ids, so the fingerprint of any range costs one subtraction and
/// one hash, whatever its length.
/// </summary>
public sealed class SortedItems : IReconciliationItems
{
    private readonly ReconciliationItem[] _items;
    private readonly IdSum[] _prefixSums;

    private SortedItems(ReconciliationItem[] sorted)
    {
        _items = sorted;
        _prefixSums = new IdSum[sorted.Length + 1];
        for (var i = 0; i < sorted.Length; i++)
        {
            _prefixSums[i + 1] = _prefixSums[i].Add(IdSum.Of(sorted[i].Id));
        }
    }

    public static SortedItems Empty { get; } = new([]);

    /// <summary>Sorts <paramref name="items"/>; a record given twice counts once.</summary>
    /// <exception cref="ArgumentException">An item uses the reserved infinity timestamp.</exception>
    public static SortedItems From(IEnumerable<ReconciliationItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var array = items.ToArray();
        if (array.Any(i => i.Timestamp == ulong.MaxValue))
        {
            throw new ArgumentException("The timestamp 2^64-1 is reserved for infinity", nameof(items));
        }

        Array.Sort(array);
        var distinct = 0;
        for (var i = 0; i < array.Length; i++)
        {
            if (distinct == 0 || array[i] != array[distinct - 1])
            {
                array[distinct++] = array[i];
            }
        }

        return new SortedItems(distinct == array.Length ? array : array[..distinct]);
    }

    public int Count => _items.Length;

    public ReconciliationItem this[int index] => _items[index];

    public int LowerBound(int begin, int endExclusive, RangeBound bound)
    {
        CheckRange(begin, endExclusive);
        var target = bound.AsItem;
        var index = Array.BinarySearch(_items, begin, endExclusive - begin, target);
        // An exact hit is the first item not below; a miss gives the complement of the insertion point.
        return index >= 0 ? index : ~index;
    }

    public Fingerprint FingerprintOf(int begin, int endExclusive)
    {
        CheckRange(begin, endExclusive);
        return _prefixSums[endExclusive].Subtract(_prefixSums[begin]).ToFingerprint((ulong)(endExclusive - begin));
    }

    private void CheckRange(int begin, int endExclusive)
    {
        if (begin < 0 || begin > endExclusive || endExclusive > _items.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(begin), $"[{begin}, {endExclusive}) is not a range of {_items.Length} items");
        }
    }
}
