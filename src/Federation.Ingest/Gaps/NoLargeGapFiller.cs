namespace Federation.Ingest.Gaps;

/// <summary>The filler of a receive pipeline without set reconciliation: large gaps take the hole path at once.</summary>
public sealed class NoLargeGapFiller : ILargeGapFiller
{
    public Task<bool> FillAsync(string origin, string roomId, long fromTs, long untilTs, CancellationToken cancellationToken) =>
        Task.FromResult(false);
}
