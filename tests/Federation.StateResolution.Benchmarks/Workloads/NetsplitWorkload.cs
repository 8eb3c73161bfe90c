using System.Text.Json.Nodes;
using Federation.StateResolution.Benchmarks.Harness;
using Federation.StateResolution.Generation;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Benchmarks.Workloads;

/// <summary>
/// Workload 2, "netsplit merge" (performance-anchors §4 W2): a generated 10k-member room splits into two partitions
/// that each add E events (joins, leaves, display-name changes, kicks and bans by moderators, power-level changes,
/// join-rule flips, topics, messages); the states at the two tips are resolved.
/// Goals: ≤ 50 ms at E = 1,000 and ≤ 1 s at E = 10,000.
/// </summary>
internal static class NetsplitWorkload
{
    public static double GoalMs(int sideEvents) => sideEvents <= 1_000 ? 50 : 1_000;

    public static RoomGeneratorOptions Options(string version, int members, int sideEvents) => new()
    {
        RoomVersion = version,
        Seed = 7,
        Members = members,
        Moderators = 3,
        PowerLevelChanges = 100,
        Churn = 0.2,
        ForkWidth = 2,
        ForkDepth = sideEvents,
        Merge = false,
    };

    public static async Task<JsonObject> RunAsync(IReadOnlyList<string> versions, int members, IReadOnlyList<int> sides, bool quick)
    {
        var rows = new JsonArray();
        foreach (var version in versions)
        {
            foreach (var side in sides)
            {
                Progress.Say($"netsplit: generating v{version}, {members:N0} members, 2 x {side:N0} events");
                var room = await ForkedRoom.BuildAsync(Options(version, members, side), measureHeap: true);
                var fork = await room.TipsAsync();
                var sets = fork.Sets;

                // First resolution on the freshly loaded graph: sizes scratch space, parses every power-levels event
                // it sorts by, caches replay keys.
                var stats = new ResolutionStats();
                var first = Measure.Once(() => new StateResolver(room.Graph, stats).Resolve(sets));
                var resolver = new StateResolver(room.Graph);
                var settings = side <= 1_000
                    ? new Settings(Warmup: quick ? 1 : 3, MinRuns: quick ? 5 : 30, MaxRuns: 500, MinSeconds: quick ? 0.5 : 3)
                    : new Settings(Warmup: 1, MinRuns: quick ? 2 : 8, MaxRuns: 50, MinSeconds: quick ? 1 : 6);
                var sample = Measure.Repeat(() => resolver.Resolve(sets), settings.Warmup, settings.MinRuns, settings.MaxRuns, settings.MinSeconds);

                var goal = GoalMs(side);
                var row = new JsonObject
                {
                    ["room_version"] = version,
                    ["members"] = members,
                    ["events_per_side"] = side,
                    ["room"] = room.Describe(),
                };
                foreach (var (k, v) in fork.ToJson())
                {
                    row[k] = v?.DeepClone();
                }

                row["fork_contents"] = room.BranchContents(fork.PrefixA, fork.PrefixB);
                var warmStats = new ResolutionStats();
                new StateResolver(room.Graph, warmStats).Resolve(sets);
                BigRoomWorkload.AddStats(row, stats, warmStats);
                row["first_resolution"] = new JsonObject
                {
                    ["ms"] = Json.Round(first.Ms),
                    ["allocated_bytes"] = first.Allocated,
                };
                row["warm"] = sample.ToJson();
                row["goal_ms"] = goal;
                row["goal_met_warm_p50"] = sample.P50 <= goal;
                row["goal_met_first_resolution"] = first.Ms <= goal;
                rows.Add(row);
                Progress.Say($"  first {first.Ms:F2} ms, warm p50 {sample.P50:F2} ms (K={fork.ConflictedEvents} events / {fork.ConflictedKeys} keys, full set {stats.FullConflictedSet})");
            }
        }

        return new JsonObject
        {
            ["description"] = "W2 netsplit merge: resolve the states at the tips of two partitions that each added E events",
            ["results"] = rows,
        };
    }
}
