using Federation.Resync.Core.Divergence;

namespace Federation.Resync.Core.Tests.Divergence;

public sealed class DivergenceBisectorTests
{
    [Fact]
    public async Task On_a_line_the_first_event_after_which_the_peer_differs_is_found_in_logarithmic_probes()
    {
        var dag = new FakeDag();
        dag.Line("$e", 1000);
        var differFrom = dag.Depth("$e617");

        var result = await BisectAsync(dag, "$e999", id => dag.Depth(id) >= differFrom ? PointComparison.Differ : PointComparison.Agree);

        Assert.Equal(BisectionOutcome.Found, result.Outcome);
        Assert.Equal("$e617", result.FirstDivergent);
        Assert.Equal("$e616", result.LastAgreeing);
        Assert.InRange(result.Probes, 9, 11);
    }

    [Fact]
    public async Task A_merge_whose_line_parent_agrees_leads_down_the_differing_branch()
    {
        // $a0..$a4, then two branches from $a4: $b0..$b9 (the ban at $b3, which the peer never got) and $t0..$t9; $m merges.
        var dag = new FakeDag();
        dag.Line("$a", 5);
        dag.Branch("$t", 10, "$a4");
        dag.Branch("$b", 10, "$a4");
        dag.Add("$m", "$t9", "$b9");
        dag.Add("$after", "$m");

        var result = await BisectAsync(dag, "$after", id =>
            id is "$m" or "$after" ? PointComparison.Differ
            : id.StartsWith("$b", StringComparison.Ordinal) && dag.Depth(id) >= dag.Depth("$b3") ? PointComparison.NotHeld
            : PointComparison.Agree);

        Assert.Equal(BisectionOutcome.Found, result.Outcome);
        Assert.Equal("$b3", result.FirstDivergent);
        Assert.Equal("$b2", result.LastAgreeing);
        Assert.True(result.PeerLacksEvent);
    }

    [Fact]
    public async Task A_failed_answer_stops_the_search_with_the_bound_so_far()
    {
        var dag = new FakeDag();
        dag.Line("$e", 100);

        var result = await BisectAsync(dag, "$e99", _ => PointComparison.Failed);

        Assert.Equal(BisectionOutcome.Inconclusive, result.Outcome);
        Assert.Equal("$e99", result.FirstDivergent);
        Assert.Equal(1, result.Probes);
    }

    [Fact]
    public async Task A_line_that_differs_all_along_its_length_limit_reports_an_older_divergence()
    {
        var dag = new FakeDag();
        dag.Line("$e", 100);

        var result = await BisectAsync(dag, "$e99", _ => PointComparison.Differ, maxLineLength: 10);

        Assert.Equal(BisectionOutcome.OlderThanSearched, result.Outcome);
        Assert.Equal("$e90", result.FirstDivergent);
    }

    [Fact]
    public async Task The_probe_budget_bounds_the_requests()
    {
        var dag = new FakeDag();
        dag.Line("$e", 1000);

        var result = await BisectAsync(dag, "$e999", id => dag.Depth(id) >= 500 ? PointComparison.Differ : PointComparison.Agree, maxProbes: 3);

        Assert.Equal(BisectionOutcome.Inconclusive, result.Outcome);
        Assert.Equal(3, result.Probes);
    }

    private static Task<BisectionResult> BisectAsync(
        FakeDag dag, string divergent, Func<string, PointComparison> peer, int maxProbes = 64, int maxLineLength = 10_000) =>
        DivergenceBisector.FindFirstDivergentAsync(divergent, dag, (id, _) => Task.FromResult(peer(id)), maxProbes, maxLineLength, CancellationToken.None);

    private sealed class FakeDag : IDagAncestry
    {
        private readonly Dictionary<string, string[]> prevs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> depths = new(StringComparer.Ordinal);

        public int Depth(string id) => depths[id];

        public void Add(string id, params string[] prevEvents)
        {
            prevs[id] = prevEvents;
            depths[id] = prevEvents.Length == 0 ? 0 : prevEvents.Max(p => depths[p]) + 1;
        }

        public void Line(string prefix, int count)
        {
            for (var i = 0; i < count; i++)
            {
                Add(prefix + i, i == 0 ? [] : [prefix + (i - 1)]);
            }
        }

        public void Branch(string prefix, int count, string from)
        {
            for (var i = 0; i < count; i++)
            {
                Add(prefix + i, i == 0 ? from : prefix + (i - 1));
            }
        }

        public Task<IReadOnlyList<string>> LineToAsync(string eventId, int maxLength, CancellationToken cancellationToken)
        {
            var line = new List<string> { eventId };
            while (line.Count < maxLength && prevs[line[^1]] is [var first, ..])
            {
                line.Add(first);
            }

            line.Reverse();
            return Task.FromResult<IReadOnlyList<string>>(line);
        }

        public Task<IReadOnlyList<string>> PrevEventsAsync(string eventId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<string>>(prevs[eventId]);
    }
}
