namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// The answering side. It keeps nothing between messages: each message carries the ranges still open, so any message
/// can be answered from the current items alone.
/// </summary>
public static class ReconciliationResponder
{
    /// <summary>Answers one message of the initiator.</summary>
    /// <param name="items">Our records.</param>
    /// <param name="message">The initiator's message.</param>
    /// <param name="frameSizeLimit">Most bytes of the answer (0: no limit; else at least 4096).</param>
    /// <exception cref="ReconciliationFormatException">The message cannot be read.</exception>
    public static byte[] Answer(IReconciliationItems items, ReadOnlySpan<byte> message, int frameSizeLimit = 0)
    {
        ArgumentNullException.ThrowIfNull(items);
        ReconciliationProtocol.CheckFrameSizeLimit(frameSizeLimit);
        return ReconciliationProtocol.Answer(items, message, frameSizeLimit, differences: null);
    }
}
