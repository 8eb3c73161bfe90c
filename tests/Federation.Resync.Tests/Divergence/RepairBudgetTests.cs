using Federation.Resync.Divergence;
using Federation.Testing.Time;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Tests.Divergence;

public sealed class RepairBudgetTests
{
    [Fact]
    public void A_room_is_repaired_at_most_once_per_probe_interval_and_a_few_times_a_day()
    {
        var time = new FakeTimeProvider();
        var budget = new RepairBudget(
            Options.Create(new ResyncOptions { DivergenceProbeInterval = TimeSpan.FromHours(1), DivergenceRepairsPerRoomPerDay = 3 }), time);

        Assert.True(budget.TryTake("!a:test"));
        Assert.False(budget.TryTake("!a:test"));
        Assert.True(budget.TryTake("!b:test"));
        time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(budget.TryTake("!a:test"));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(budget.TryTake("!a:test"));
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(budget.TryTake("!a:test"));
        time.Advance(TimeSpan.FromHours(1));
        Assert.False(budget.TryTake("!a:test"));

        // A day after the first repair its allowance comes back, one repair at a time.
        time.Advance(TimeSpan.FromHours(21));
        Assert.True(budget.TryTake("!a:test"));
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(budget.TryTake("!a:test"));
    }
}
