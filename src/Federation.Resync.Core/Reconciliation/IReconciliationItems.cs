namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// The records one side reconciles, whatever stores them: sorted by (timestamp, id) without duplicates, addressed by
/// index, with the fingerprint of any index range.
/// </summary>
public interface IReconciliationItems
{
    int Count { get; }

    ReconciliationItem this[int index] { get; }

    /// <summary>The first index in [<paramref name="begin"/>, <paramref name="endExclusive"/>) whose item is not below
    /// <paramref name="bound"/>, or <paramref name="endExclusive"/>.</summary>
    int LowerBound(int begin, int endExclusive, RangeBound bound);

    /// <summary>The fingerprint of the items at indexes [<paramref name="begin"/>, <paramref name="endExclusive"/>).</summary>
    Fingerprint FingerprintOf(int begin, int endExclusive);
}
