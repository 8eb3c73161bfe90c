namespace Federation.Client.Reconciliation;

/// <summary>What a peer answered one reconciliation message with: its message, or why there is none.</summary>
public sealed record ReconcileAnswer(byte[]? Message, int StatusCode, string? ErrorCode, string? Failure, long RequestBytes, long ResponseBytes)
{
    /// <summary>The peer does not serve the endpoint (404 without a Matrix error other than M_UNRECOGNIZED, 405, 501).</summary>
    public bool Unsupported =>
        StatusCode is 405 or 501 || (StatusCode == 404 && ErrorCode is null or Protocol.Errors.ErrorCode.Unrecognized);
}
