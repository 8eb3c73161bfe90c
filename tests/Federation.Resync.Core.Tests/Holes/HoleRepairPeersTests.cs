using Federation.Resync.Core.Holes;

namespace Federation.Resync.Core.Tests.Holes;

public sealed class HoleRepairPeersTests
{
    private static readonly string[] Residents = [.. Enumerable.Range(0, 20).Select(i => $"s{i}.test")];

    [Fact]
    public void The_origin_comes_first_then_the_referrers_then_the_residents_without_us()
    {
        var order = HoleRepairPeers.Order(
            "$hole", "origin.test", ["child.test", "origin.test", "other-child.test"], [.. Residents, "child.test", "us.test"], "us.test");

        Assert.Equal(["origin.test", "child.test", "other-child.test"], order.Take(3));
        Assert.Equal(Residents.Order(StringComparer.Ordinal), order.Skip(3).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("us.test", order);
    }

    [Fact]
    public void Without_an_event_id_server_the_first_referrer_is_the_origin()
    {
        var order = HoleRepairPeers.Order("$hole", null, ["child.test"], Residents, "us.test");

        Assert.Equal("child.test", order[0]);
    }

    [Fact]
    public void The_order_does_not_depend_on_the_order_residents_are_given_in()
    {
        var forwards = HoleRepairPeers.Order("$hole", null, [], Residents, "us.test");
        var backwards = HoleRepairPeers.Order("$hole", null, [], Residents.Reverse(), "us.test");

        Assert.Equal(forwards, backwards);
    }

    [Fact]
    public void Different_holes_start_with_different_residents()
    {
        var firsts = Enumerable.Range(0, 200)
            .Select(i => HoleRepairPeers.Order($"$hole{i}", null, [], Residents, "us.test")[0])
            .GroupBy(s => s, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        // 200 holes over 20 servers: about 10 each; every server is first for some, none for most.
        Assert.True(firsts.Count >= 15, $"only {firsts.Count} servers asked first");
        Assert.True(firsts.Values.Max() <= 30, $"one server is first for {firsts.Values.Max()} holes");
    }

    [Fact]
    public void Next_moves_to_the_first_candidate_not_asked_then_goes_round_again()
    {
        string[] candidates = ["a.test", "b.test", "c.test"];

        Assert.Equal("a.test", HoleRepairPeers.Next(candidates, [], 0));
        Assert.Equal("b.test", HoleRepairPeers.Next(candidates, ["a.test"], 1));
        Assert.Equal("c.test", HoleRepairPeers.Next(candidates, ["a.test", "b.test"], 2));
        Assert.Equal("a.test", HoleRepairPeers.Next(candidates, candidates, 3));
        Assert.Equal("b.test", HoleRepairPeers.Next(candidates, candidates, 4));
        Assert.Null(HoleRepairPeers.Next([], [], 0));
    }
}
