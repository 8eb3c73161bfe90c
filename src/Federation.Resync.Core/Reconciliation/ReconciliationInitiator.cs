namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// The side that starts and drives a reconciliation: <see cref="Initiate"/>, then feed each answer to
/// <see cref="Reconcile"/> until it returns null. The ids learnt collect in <see cref="Differences"/>.
/// </summary>
public sealed class ReconciliationInitiator
{
    private readonly IReconciliationItems _items;
    private readonly int _frameSizeLimit;
    private bool _initiated;

    /// <param name="items">Our records.</param>
    /// <param name="frameSizeLimit">Most bytes of each message we send after the first (0: no limit; else at least 4096).</param>
    public ReconciliationInitiator(IReconciliationItems items, int frameSizeLimit = 0)
    {
        ArgumentNullException.ThrowIfNull(items);
        ReconciliationProtocol.CheckFrameSizeLimit(frameSizeLimit);
        _items = items;
        _frameSizeLimit = frameSizeLimit;
    }

    public IdDifferences Differences { get; } = new();

    /// <summary>The first message.</summary>
    public byte[] Initiate()
    {
        if (_initiated)
        {
            throw new InvalidOperationException("Already initiated");
        }

        _initiated = true;
        return ReconciliationProtocol.Initiate(_items);
    }

    /// <summary>Reads the other side's answer; returns the next message to send, or null when every range is settled.</summary>
    /// <exception cref="ReconciliationFormatException">The answer cannot be read.</exception>
    public byte[]? Reconcile(ReadOnlySpan<byte> answer)
    {
        if (!_initiated)
        {
            throw new InvalidOperationException("Initiate first");
        }

        var next = ReconciliationProtocol.Answer(_items, answer, _frameSizeLimit, Differences);
        return next.Length == 1 ? null : next;
    }
}
