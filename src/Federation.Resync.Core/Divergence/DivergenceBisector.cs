namespace Federation.Resync.Core.Divergence;

/// <summary>
/// Finds the first event after which a peer's state and ours differ, given an event where they do. The DAG is a
/// partial order, so the search runs on lines: from the divergent event back along first prev events (a binary search
/// on depth, O(log n) probes per line), then, when the event found merges branches and another branch's tip also
/// differs, down that branch in the same way. The result names one earliest event of one divergent branch; other
/// branches may hold more (MSC4500 warns that forks can give a frontier, not a point).
/// </summary>
public static class DivergenceBisector
{
    /// <param name="divergent">An event known to differ (the probe event).</param>
    /// <param name="dag">Our DAG.</param>
    /// <param name="compare">Asks the peer for its fingerprint after an event and compares it with ours.</param>
    /// <param name="maxProbes">Most comparisons asked (each is a request to the peer).</param>
    /// <param name="maxLineLength">Longest line of ancestors searched at once.</param>
    /// <param name="cancellationToken">Cancels the search.</param>
    public static async Task<BisectionResult> FindFirstDivergentAsync(
        string divergent,
        IDagAncestry dag,
        Func<string, CancellationToken, Task<PointComparison>> compare,
        int maxProbes,
        int maxLineLength,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(divergent);
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(compare);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxProbes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineLength, 2);

        var probes = 0;
        var lacks = false;
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var tip = divergent;
        while (true)
        {
            visited.Add(tip);
            var line = await dag.LineToAsync(tip, maxLineLength, cancellationToken).ConfigureAwait(false);
            if (line.Count == 0 || !string.Equals(line[^1], tip, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The line of ancestors must end at {tip}.");
            }

            // Invariant: line[high] differs; line[low] agrees (low = −1: nothing on the line agrees yet).
            var low = -1;
            var high = line.Count - 1;
            while (high - low > 1)
            {
                if (probes == maxProbes)
                {
                    return new BisectionResult(BisectionOutcome.Inconclusive, line[high], low >= 0 ? line[low] : null, lacks, probes);
                }

                var middle = low + ((high - low) / 2);
                probes++;
                switch (await compare(line[middle], cancellationToken).ConfigureAwait(false))
                {
                    case PointComparison.Agree:
                        low = middle;
                        break;
                    case PointComparison.Differ:
                        high = middle;
                        lacks = false;
                        break;
                    case PointComparison.NotHeld:
                        high = middle;
                        lacks = true;
                        break;
                    default:
                        return new BisectionResult(BisectionOutcome.Inconclusive, line[high], low >= 0 ? line[low] : null, lacks, probes);
                }
            }

            var first = line[high];
            var before = low >= 0 ? line[low] : null;
            if (before is null && line.Count == maxLineLength)
            {
                return new BisectionResult(BisectionOutcome.OlderThanSearched, first, null, lacks, probes);
            }

            // A merge whose line parent agrees may have taken the difference from another branch: follow a differing one.
            string? branch = null;
            foreach (var prev in await dag.PrevEventsAsync(first, cancellationToken).ConfigureAwait(false))
            {
                if (string.Equals(prev, before, StringComparison.Ordinal) || visited.Contains(prev))
                {
                    continue;
                }

                if (probes == maxProbes)
                {
                    return new BisectionResult(BisectionOutcome.Inconclusive, first, before, lacks, probes);
                }

                probes++;
                var comparison = await compare(prev, cancellationToken).ConfigureAwait(false);
                if (comparison is PointComparison.Differ or PointComparison.NotHeld)
                {
                    branch = prev;
                    lacks = comparison == PointComparison.NotHeld;
                    break;
                }
            }

            if (branch is null)
            {
                return new BisectionResult(BisectionOutcome.Found, first, before, lacks, probes);
            }

            tip = branch;
        }
    }
}
