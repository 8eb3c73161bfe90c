namespace Federation.Resync.Core.Reconciliation;

/// <summary>What a range of a message carries.</summary>
public enum ReconciliationMode
{
    /// <summary>Nothing: the sender is done with the range.</summary>
    Skip = 0,

    /// <summary>The 16-byte fingerprint of the sender's ids in the range.</summary>
    Fingerprint = 1,

    /// <summary>Every id the sender has in the range.</summary>
    IdList = 2,
}
