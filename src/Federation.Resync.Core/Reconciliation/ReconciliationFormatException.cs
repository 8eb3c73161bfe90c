namespace Federation.Resync.Core.Reconciliation;

/// <summary>A reconciliation message that cannot be read: truncated, an unknown mode, an id prefix over 32 bytes...</summary>
public sealed class ReconciliationFormatException : FormatException
{
    public ReconciliationFormatException()
    {
    }

    public ReconciliationFormatException(string message)
        : base(message)
    {
    }

    public ReconciliationFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
