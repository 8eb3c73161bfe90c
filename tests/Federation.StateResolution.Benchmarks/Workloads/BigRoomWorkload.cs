using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.StateResolution.Benchmarks.Harness;
using Federation.StateResolution.Generation;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Benchmarks.Workloads;

/// <summary>
/// Workload 1, "big room, small fork" (performance-anchors §4 W1), and workload 4, peak memory per resolution at 100k
/// members: a generated room of N members (100 power-level changes, 20 % churn with kicks and bans, 3 moderators) forks
/// into two branches; the two state sets are chosen as branch prefixes whose conflicted state has K events. Each
/// resolution is timed warm (graph loaded, per-event caches filled after the first run).
/// Goals: ≤ 1 ms per resolution at 100k members / 100 conflicted events, and no growth with N.
/// </summary>
internal static class BigRoomWorkload
{
    public const double GoalMs = 1.0;

    public static RoomGeneratorOptions Options(string version, int members) => new()
    {
        RoomVersion = version,
        Seed = 42,
        Members = members,
        Moderators = 3,
        PowerLevelChanges = 100,
        Churn = 0.2,
        ForkWidth = 2,
        ForkDepth = 120,
        Merge = false,
    };

    public static async Task<JsonObject> RunAsync(IReadOnlyList<string> versions, IReadOnlyList<int> memberCounts, IReadOnlyList<int> targets, Settings settings)
    {
        var rooms = new JsonArray();
        var rows = new JsonArray();
        var memory = new JsonArray();
        foreach (var version in versions)
        {
            foreach (var members in memberCounts)
            {
                Progress.Say($"big-room: generating v{version}, {members:N0} members");
                var room = await ForkedRoom.BuildAsync(Options(version, members), measureHeap: true);
                var description = room.Describe();
                description["state_events"] = room.StateEventCount;
                rooms.Add(description);

                var resolver = new StateResolver(room.Graph);
                long firstAllocated = -1;
                double firstMs = -1;
                foreach (var target in targets)
                {
                    var fork = await room.SelectForkAsync(target);
                    var sets = fork.Sets;
                    if (firstMs < 0)
                    {
                        // The first resolution on the graph sizes the shared scratch space and fills per-event caches.
                        var first = Measure.Once(() => resolver.Resolve(sets));
                        firstMs = first.Ms;
                        firstAllocated = first.Allocated;
                    }

                    var stats = new ResolutionStats();
                    var expected = new StateResolver(room.Graph, stats).Resolve(sets);
                    var sample = Measure.Repeat(() => resolver.Resolve(sets), settings.Warmup, settings.MinRuns, settings.MaxRuns, settings.MinSeconds);
                    if (!SameState(expected, resolver.Resolve(sets)))
                    {
                        throw new InvalidOperationException("repeated resolutions disagree");
                    }

                    var row = new JsonObject
                    {
                        ["room_version"] = version,
                        ["members"] = members,
                        ["target_conflicted_events"] = target,
                    };
                    foreach (var (k, v) in fork.ToJson())
                    {
                        row[k] = v?.DeepClone();
                    }

                    row["fork_contents"] = room.BranchContents(fork.PrefixA, fork.PrefixB);
                    var warmStats = new ResolutionStats();
                    new StateResolver(room.Graph, warmStats).Resolve(sets);
                    AddStats(row, stats, warmStats);
                    row["warm"] = sample.ToJson();
                    row["resolved_state_size"] = expected.Count;
                    rows.Add(row);
                    Progress.Say($"  K={target} (actual {fork.ConflictedEvents} events, {fork.ConflictedKeys} keys): p50 {sample.P50:F4} ms, p95 {sample.P95:F4} ms, {sample.AllocatedP50:N0} B/resolution");
                }

                memory.Add(new JsonObject
                {
                    ["room_version"] = version,
                    ["members"] = members,
                    ["events_in_graph"] = room.Graph.EventCount,
                    ["events_heap_bytes"] = room.EventsHeapBytes,
                    ["graph_and_dag_states_heap_bytes"] = room.GraphHeapBytes,
                    ["first_resolution_ms"] = Json.Round(firstMs),
                    ["first_resolution_allocated_bytes"] = firstAllocated,
                    ["process_peak_working_set_bytes_so_far"] = Measure.PeakWorkingSet(),
                });
            }
        }

        return new JsonObject
        {
            ["description"] = "W1 big room, small fork: warm resolution of two branch-prefix state sets whose conflicted state has K events",
            ["rooms"] = rooms,
            ["results"] = rows,
            ["memory"] = memory,
            ["goals"] = Goals(rows),
        };
    }

    private static bool SameState(StateMap a, StateMap b)
    {
        var keys = new List<int>();
        StateMap.CollectDifferentKeys(a, b, keys);
        return keys.Count == 0;
    }

    /// <summary>Sizes from <paramref name="stats"/>; phase times from one resolution after the warm runs, when given.</summary>
    internal static void AddStats(JsonObject row, ResolutionStats stats, ResolutionStats? warmStats = null)
    {
        row["sizes"] = new JsonObject
        {
            ["conflicted_keys"] = stats.ConflictedKeys,
            ["auth_difference"] = stats.AuthDifference,
            ["conflicted_subgraph"] = stats.ConflictedSubgraph,
            ["full_conflicted_set"] = stats.FullConflictedSet,
            ["power_events"] = stats.PowerEvents,
            ["auth_checks"] = stats.AuthChecks,
            ["nodes_visited"] = stats.NodesVisited,
        };
        if (warmStats is not null)
        {
            row["warm_phases_ms"] = new JsonObject
            {
                ["split"] = Json.Round(Stopwatch.GetElapsedTime(0, warmStats.SplitTicks).TotalMilliseconds),
                ["auth_difference_and_subgraph"] = Json.Round(Stopwatch.GetElapsedTime(0, warmStats.AuthDifferenceTicks).TotalMilliseconds),
                ["sorts"] = Json.Round(Stopwatch.GetElapsedTime(0, warmStats.SortTicks).TotalMilliseconds),
                ["replay"] = Json.Round(Stopwatch.GetElapsedTime(0, warmStats.ReplayTicks).TotalMilliseconds),
            };
        }
    }

    private static JsonArray Goals(JsonArray rows)
    {
        var goals = new JsonArray();
        var list = rows.Select(r => r!.AsObject()).ToList();
        foreach (var version in list.Select(r => (string)r["room_version"]!).Distinct())
        {
            var biggest = list.Where(r => (string)r["room_version"]! == version).MaxBy(r => ((int)r["members"]!, (int)r["target_conflicted_events"]!));
            if (biggest is not null)
            {
                var p50 = (double)biggest["warm"]!["p50_ms"]!;
                goals.Add(new JsonObject
                {
                    ["goal"] = $"<= {GoalMs} ms per resolution at {biggest["members"]} members / {biggest["target_conflicted_events"]} conflicted (v{version})",
                    ["p50_ms"] = p50,
                    ["p95_ms"] = biggest["warm"]!["p95_ms"]!.DeepClone(),
                    ["met"] = p50 <= GoalMs,
                });
            }

            var byTarget = list.Where(r => (string)r["room_version"]! == version).GroupBy(r => (int)r["target_conflicted_events"]!);
            foreach (var group in byTarget)
            {
                var ordered = group.OrderBy(r => (int)r["members"]!).ToList();
                if (ordered.Count < 2)
                {
                    continue;
                }

                var small = ordered[0];
                var large = ordered[^1];
                var timeRatio = (double)large["warm"]!["p50_ms"]! / (double)small["warm"]!["p50_ms"]!;
                var nodeRatio = (double)(long)large["sizes"]!["nodes_visited"]! / Math.Max(1, (long)small["sizes"]!["nodes_visited"]!);
                goals.Add(new JsonObject
                {
                    ["goal"] = $"cost does not grow with members (v{version}, K={group.Key}: {small["members"]} -> {large["members"]})",
                    ["p50_ratio"] = Json.Round(timeRatio, 2),
                    ["nodes_visited_ratio"] = Json.Round(nodeRatio, 2),
                    ["full_conflicted_set"] = new JsonArray(small["sizes"]!["full_conflicted_set"]!.DeepClone(), large["sizes"]!["full_conflicted_set"]!.DeepClone()),
                    // Different N means a different random room, so the forks differ somewhat; "flat" = within 2x.
                    ["met"] = timeRatio < 2.0,
                });
            }
        }

        return goals;
    }
}
