using Federation.Conformance.Running;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// Waits for an observation to come true: the target answers <c>/send</c> before it processes the PDUs, so what it did
/// shows only later. Checks every 100 ms until the check passes or the time is up, then fails with the last problem.
/// </summary>
public static class Polling
{
    public static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary><paramref name="check"/> returns null when satisfied, else what is wrong.</summary>
    public static async Task UntilAsync(Func<Task<string?>> check, TimeSpan within, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(time);
        var deadline = time.GetUtcNow() + within;
        while (true)
        {
            var problem = await check().ConfigureAwait(false);
            if (problem is null)
            {
                return;
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new ScenarioFailedException($"{problem} (still so after {within.TotalSeconds:0}s)");
            }

            await Task.Delay(Interval, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
