namespace Federation.Ingest;

/// <summary>The result of checking one PDU, with the reason when it did not pass.</summary>
public sealed record PduOutcome(PduDisposition Disposition, string? Reason)
{
    public static PduOutcome Accepted { get; } = new(PduDisposition.Accepted, null);

    public bool IsAccepted => Disposition == PduDisposition.Accepted;

    public static PduOutcome Dropped(string reason) => new(PduDisposition.Dropped, reason);

    public static PduOutcome Rejected(string reason) => new(PduDisposition.Rejected, reason);

    public static PduOutcome SoftFailed(string reason) => new(PduDisposition.SoftFailed, reason);
}
