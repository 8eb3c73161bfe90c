using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.StateResolution.Benchmarks.Harness;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Documents;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Benchmarks.Workloads;

/// <summary>
/// Workload 3: our resolver and Rocket.Chat's (<c>@rocket.chat/federation-sdk</c>, run by bench/rocketchat/resolve.js)
/// on the same generated rooms. For each size the room and its two state sets are exported once as a
/// <c>federation resolve</c> file; both sides read that file, resolve, and the resolved states are compared entry by
/// entry (Rocket.Chat's event ids are mapped back to the file's ids by the Node script).
/// Goal: ≥ 1000× faster, identical results.
/// </summary>
internal static class RocketChatComparison
{
    public const double GoalRatio = 1000;

    public static async Task<JsonObject> RunAsync(IReadOnlyList<int> memberCounts, string version, int target, Func<int, int> rcReps, bool quick)
    {
        var harness = Path.Combine(RepositoryRoot.Find(), "bench", "rocketchat");
        var rows = new JsonArray();
        var result = new JsonObject
        {
            ["description"] = "Same exported room and state sets resolved by us and by Rocket.Chat's resolveStateV2Plus",
            ["harness"] = "bench/rocketchat/resolve.js",
            ["id_mapping"] = "Rocket.Chat computes event ids (reference hashes) itself; resolve.js rebuilds the events parents first with "
                + "references rewritten to its ids and maps the result back to the file's ids. All origin_server_ts are distinct, so no "
                + "tie-break reaches the ids.",
            ["results"] = rows,
        };
        if (!File.Exists(Path.Combine(harness, "node_modules", "@rocket.chat", "federation-sdk", "package.json")))
        {
            result["skipped"] = $"run 'npm install' in {harness} first";
            return result;
        }

        foreach (var members in memberCounts)
        {
            var options = BigRoomWorkload.Options(version, members) with
            {
                Seed = 5,
                PowerLevelChanges = members <= 1_000 ? 20 : members <= 5_000 ? 50 : 100,
            };
            Progress.Say($"rocketchat: generating v{version}, {members:N0} members");
            var room = await ForkedRoom.BuildAsync(options);
            var fork = await room.SelectForkAsync(target);
            var file = Path.Combine(harness, "out", $"room-v{version}-{members}.json");
            RoomExport.Write(room, fork, file);
            var direct = room.Graph.ToEntries(new StateResolver(room.Graph).Resolve(fork.Sets));

            var ours = await OursAsync(file, quick);
            Progress.Say($"  ours: warm p50 {ours.Warm.P50:F4} ms, cold (fresh graph) p50 {ours.Cold.P50:F2} ms; running Rocket.Chat ({rcReps(members)} rep(s))");
            var rc = RunRocketChat(harness, file, rcReps(members));

            var row = new JsonObject
            {
                ["room_version"] = version,
                ["members"] = members,
                ["power_level_changes"] = options.PowerLevelChanges,
                ["file"] = Path.GetRelativePath(RepositoryRoot.Find(), file),
                ["file_bytes"] = new FileInfo(file).Length,
                ["events"] = room.Room.Events.Count,
            };
            foreach (var (k, v) in fork.ToJson())
            {
                row[k] = v?.DeepClone();
            }

            BigRoomWorkload.AddStats(row, ours.Stats);
            row["ours"] = new JsonObject
            {
                ["parse_and_build_ms"] = Json.Round(ours.LoadMs, 1),
                ["warm"] = ours.Warm.ToJson(),
                ["cold_fresh_graph"] = ours.Cold.ToJson(),
                ["cold_note"] = "fresh RoomGraph over the in-memory source each run: loads both state sets and their auth chains, then resolves",
                ["same_as_in_process_result"] = SameEntries(ours.State, direct.Select(e => (e.Key.Type, e.Key.Key, e.Value)).ToList()),
            };
            if (rc.Error is not null)
            {
                row["rocketchat"] = new JsonObject { ["error"] = rc.Error };
            }
            else
            {
                var rcJson = rc.Json!;
                var rcP50 = (double)rcJson["p50_ms"]!;
                var theirs = ((JsonArray)rcJson["state"]!).Select(e => ((string)e![0]!, (string)e[1]!, (string)e[2]!)).ToList();
                rcJson.Remove("state");
                row["rocketchat"] = rcJson;
                var rcCpu = (double)rcJson["cpu_ms_p50"]!;
                var ratioWarm = rcP50 / ours.Warm.P50;
                row["ratio_cpu_vs_warm"] = Json.Round(rcCpu / ours.Warm.CpuMean, 0);
                var ratioCold = rcP50 / ours.Cold.P50;
                var differences = Differences(ours.State, theirs);
                row["ratio_vs_warm"] = Json.Round(ratioWarm, 0);
                row["ratio_vs_cold_fresh_graph"] = Json.Round(ratioCold, 1);
                row["goal_ratio"] = GoalRatio;
                row["goal_met"] = ratioWarm >= GoalRatio;
                row["identical_state"] = differences.Count == 0;
                row["state_sizes"] = new JsonArray(ours.State.Count, theirs.Count);
                row["differences"] = new JsonArray([.. differences.Take(50).Select(d => (JsonNode)d)]);
                row["difference_count"] = differences.Count;
                Progress.Say($"  rocketchat p50 {rcP50:F1} ms: {ratioWarm:N0}x warm, {ratioCold:N1}x cold; identical: {differences.Count == 0} ({differences.Count} differences)");
            }

            rows.Add(row);
        }

        return result;
    }

    private sealed record Ours(double LoadMs, Sample Warm, Sample Cold, ResolutionStats Stats, List<(string Type, string Key, string Id)> State);

    private static async Task<Ours> OursAsync(string file, bool quick)
    {
        var started = Stopwatch.GetTimestamp();
        RoomDocument document;
        using (var json = JsonDocument.Parse(await File.ReadAllBytesAsync(file)))
        {
            document = RoomDocument.Parse(json.RootElement);
        }

        var session = await RoomSession.BuildAsync(document, DagMode.TrustDag);
        var loadMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var sets = session.StateSets;
        var stats = new ResolutionStats();
        var state = session.Graph.ToEntries(new StateResolver(session.Graph, stats).Resolve(sets))
            .Select(e => (e.Key.Type, e.Key.Key, e.Value)).ToList();
        var resolver = new StateResolver(session.Graph);
        var fast = quick ? Settings.FastQuick : Settings.Fast;
        var warm = Measure.Repeat(() => resolver.Resolve(sets), fast.Warmup, fast.MinRuns, fast.MaxRuns, fast.MinSeconds);

        var entries = document.StateSets!.Select(set => set.Select(e => KeyValuePair.Create(e.Key, e.EventId)).ToList()).ToList();
        var cold = Measure.Repeat(
            () =>
            {
                var graph = new RoomGraph(document.RoomVersion, session.Source);
                var maps = new List<StateMap>();
                foreach (var set in entries)
                {
                    // Synchronous source: the ValueTasks complete at once.
                    maps.Add(graph.LoadStateAsync(set, maps.Count > 0 ? maps[0] : null).AsTask().GetAwaiter().GetResult());
                }

                new StateResolver(graph).Resolve(maps);
            },
            warmup: 2,
            minRuns: quick ? 3 : 10,
            maxRuns: 50,
            minSeconds: quick ? 0.5 : 2);
        return new Ours(loadMs, warm, cold, stats, state);
    }

    private sealed record NodeRun(JsonObject? Json, string? Error);

    private static NodeRun RunRocketChat(string harness, string file, int reps)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = harness,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--max-old-space-size=8192");
        info.ArgumentList.Add(Path.Combine(harness, "resolve.js"));
        info.ArgumentList.Add(file);
        info.ArgumentList.Add("--reps");
        info.ArgumentList.Add(reps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(30)))
            {
                process.Kill(entireProcessTree: true);
                return new NodeRun(null, "timed out after 30 minutes");
            }

            var output = stdout.GetAwaiter().GetResult();
            var errors = stderr.GetAwaiter().GetResult();
            if (process.ExitCode != 0)
            {
                return new NodeRun(null, $"node exited with {process.ExitCode}: {errors.Trim()}");
            }

            var json = JsonNode.Parse(output)!.AsObject();
            return json["supported"]?.GetValue<bool>() == false
                ? new NodeRun(null, $"Rocket.Chat does not support room version {json["room_version"]}")
                : new NodeRun(json, null);
        }
        catch (Win32Exception e)
        {
            return new NodeRun(null, $"cannot start node: {e.Message}");
        }
    }

    private static bool SameEntries(List<(string, string, string)> a, List<(string, string, string)> b) =>
        a.Count == b.Count && a.ToHashSet().SetEquals(b);

    /// <summary>Entries the two results disagree on, one line per state key.</summary>
    private static List<string> Differences(List<(string Type, string Key, string Id)> ours, List<(string Type, string Key, string Id)> theirs)
    {
        var mine = ours.ToDictionary(e => new StateKey(e.Type, e.Key), e => e.Id);
        var other = theirs.ToDictionary(e => new StateKey(e.Type, e.Key), e => e.Id);
        var lines = new List<string>();
        foreach (var key in mine.Keys.Union(other.Keys).Order())
        {
            var a = mine.GetValueOrDefault(key);
            var b = other.GetValueOrDefault(key);
            if (a != b)
            {
                lines.Add($"{key}: ours {a ?? "(absent)"}, rocketchat {b ?? "(absent)"}");
            }
        }

        return lines;
    }
}
