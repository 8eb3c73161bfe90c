using Federation.Resync.Core.Holes;

namespace Federation.Resync.Core.Tests.Holes;

public sealed class HoleBackoffTests
{
    private static readonly TimeSpan Minimum = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Maximum = TimeSpan.FromMinutes(10);

    [Fact]
    public void Delays_stay_within_the_bounds_and_their_ceiling_doubles_per_attempt()
    {
        for (var attempt = 1; attempt <= 50; attempt++)
        {
            var ceiling = TimeSpan.FromTicks((long)Math.Min(Maximum.Ticks, Minimum.Ticks * Math.Pow(2, attempt - 1)));
            foreach (var hole in Enumerable.Range(0, 50).Select(i => $"$hole{i}"))
            {
                Assert.InRange(HoleBackoff.Delay("us.test", hole, attempt, Minimum, Maximum), Minimum, ceiling);
            }
        }
    }

    [Fact]
    public void The_same_inputs_give_the_same_delay()
    {
        Assert.Equal(
            HoleBackoff.Delay("us.test", "$hole", 4, Minimum, Maximum),
            HoleBackoff.Delay("us.test", "$hole", 4, Minimum, Maximum));
    }

    [Fact]
    public void Holes_found_together_retry_at_different_times()
    {
        var delays = Enumerable.Range(0, 100).Select(i => HoleBackoff.Delay("us.test", $"$hole{i}", 6, Minimum, Maximum)).ToHashSet();
        var elsewhere = HoleBackoff.Delay("other.test", "$hole0", 6, Minimum, Maximum);

        Assert.True(delays.Count >= 95, $"only {delays.Count} distinct delays");
        Assert.NotEqual(HoleBackoff.Delay("us.test", "$hole0", 6, Minimum, Maximum), elsewhere);
    }

    [Fact]
    public void Equal_bounds_give_exactly_that_delay()
    {
        Assert.Equal(Minimum, HoleBackoff.Delay("us.test", "$hole", 3, Minimum, Minimum));
    }
}
