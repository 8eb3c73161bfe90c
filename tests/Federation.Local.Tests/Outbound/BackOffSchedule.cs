using Federation.Local.Outbound;

namespace Federation.Local.Tests.Outbound;

/// <summary>
/// The sender's back-off as its options describe it (a wait of <c>RetryBaseDelay</c> after the first failure, doubled
/// after each further one, capped at <c>RetryMaxDelay</c>), so tests derive their expectations from the configuration.
/// </summary>
public sealed class BackOffSchedule(OutboundOptions options)
{
    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row (1-based).</summary>
    public TimeSpan DelayAfter(int failures) =>
        TimeSpan.FromTicks((long)Math.Min(options.RetryMaxDelay.Ticks, options.RetryBaseDelay.Ticks * Math.Pow(2, failures - 1)));

    /// <summary>
    /// A bound on the attempts that start within <paramref name="window"/> of the first: the first, the doubling waits
    /// that fit (base × (2^k − 1) ≤ window, so k ≤ log2(window / base + 1)), and one per capped wait after them.
    /// Logarithmic in the window until the cap, then linear at one attempt per <c>RetryMaxDelay</c>.
    /// </summary>
    public int MostAttemptsWithin(TimeSpan window) =>
        1 + (int)Math.Floor(Math.Log2((window / options.RetryBaseDelay) + 1)) + (int)Math.Floor(window / options.RetryMaxDelay);
}
