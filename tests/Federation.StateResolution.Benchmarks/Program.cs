using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Running;
using Federation.StateResolution.Benchmarks.Harness;
using Federation.StateResolution.Benchmarks.Workloads;

namespace Federation.StateResolution.Benchmarks;

/// <summary>
/// State-resolution benchmark suite. Prints one JSON document on stdout (progress on stderr).
/// <code>
/// dotnet run -c Release --project tests/Federation.StateResolution.Benchmarks -- all [--quick] [--out FILE]
/// dotnet run -c Release --project tests/Federation.StateResolution.Benchmarks -- big-room|netsplit|rocketchat [--quick] [--out FILE]
/// dotnet run -c Release --project tests/Federation.StateResolution.Benchmarks -- export --members N [--version V] [--conflicted K] --out FILE
/// dotnet run -c Release --project tests/Federation.StateResolution.Benchmarks -- bdn [BenchmarkDotNet arguments]
/// </code>
/// <c>rocketchat</c> needs <c>npm install</c> in bench/rocketchat first. See docs/benchmarks.md, "State resolution".
/// </summary>
public static class Program
{
    private static readonly string[] Versions = ["10", "12"];

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            await Console.Error.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        var command = args[0];
        if (command == "bdn")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }

        var options = ParseOptions(args[1..]);
        if (options is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var quick = options.ContainsKey("quick");
        if (command == "export")
        {
            return await ExportAsync(options);
        }

        if (command == "profile")
        {
            return await ProfileAsync(options);
        }

        var started = Stopwatch.GetTimestamp();
        var output = new JsonObject
        {
            ["suite"] = "state resolution",
            ["command"] = "dotnet run -c Release --project tests/Federation.StateResolution.Benchmarks -- " + string.Join(' ', args),
            ["machine"] = Json.Machine(),
        };
        var workloads = new JsonObject();
        output["workloads"] = workloads;
        var fast = quick ? Settings.FastQuick : Settings.Fast;
        switch (command)
        {
            case "all":
                workloads["big_room"] = await BigRoomAsync(quick, fast);
                workloads["netsplit"] = await NetsplitAsync(quick);
                workloads["rocketchat"] = await RocketChatAsync(quick);
                break;
            case "big-room":
                workloads["big_room"] = await BigRoomAsync(quick, fast);
                break;
            case "netsplit":
                workloads["netsplit"] = await NetsplitAsync(quick);
                break;
            case "rocketchat":
                workloads["rocketchat"] = await RocketChatAsync(quick);
                break;
            default:
                await Console.Error.WriteLineAsync($"unknown command '{command}'\n{Usage}");
                return 2;
        }

        output["goals"] = Goals(workloads);
        output["total_seconds"] = Json.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 1);
        output["load_average_at_end"] = Json.LoadAverage();
        output["process_peak_working_set_bytes"] = Measure.PeakWorkingSet();
        var text = output.ToJsonString(Json.Indented);
        Console.WriteLine(text);
        if (options.TryGetValue("out", out var file) && file is not null)
        {
            await File.WriteAllTextAsync(file, text + "\n");
        }

        return 0;
    }

    private const string Usage = """
        usage: Federation.StateResolution.Benchmarks COMMAND [options]
          all          W1 big room (10k/100k members, K = 1/10/100, v10 and v12, with memory), W2 netsplit (2 x 1k and 2 x 10k
                       events, v10 and v12) and W3 side by side with Rocket.Chat (1k/5k/10k members, v10)
          big-room     W1 (and W4 memory) only
          netsplit     W2 only
          rocketchat   W3 only (needs 'npm install' in bench/rocketchat)
          export       write a generated room + two state sets as a 'federation resolve' file:
                       --members N [--version 10] [--conflicted K (default: the branch tips)] --out FILE
          profile      resolve one netsplit room warm in a loop (for perf/dotnet-trace) and print the phase times:
                       [--version 10] [--members 10000] [--side 1000] [--seconds 20]
          bdn ARGS     BenchmarkDotNet classes (e.g. bdn --filter '*')
        options: --quick (smaller sizes, fewer runs: a smoke test), --out FILE (also write the JSON there)
        """;

    private static Dictionary<string, string?>? ParseOptions(string[] args)
    {
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            var name = args[i][2..];
            if (name == "quick")
            {
                options[name] = null;
            }
            else if (i + 1 < args.Length)
            {
                options[name] = args[++i];
            }
            else
            {
                return null;
            }
        }

        return options;
    }

    private static Task<JsonObject> BigRoomAsync(bool quick, Settings fast) =>
        BigRoomWorkload.RunAsync(Versions, quick ? [10_000] : [10_000, 100_000], [1, 10, 100], fast);

    private static Task<JsonObject> NetsplitAsync(bool quick) =>
        NetsplitWorkload.RunAsync(Versions, 10_000, quick ? [1_000] : [1_000, 10_000], quick);

    private static Task<JsonObject> RocketChatAsync(bool quick) =>
        RocketChatComparison.RunAsync(quick ? [1_000] : [1_000, 5_000, 10_000], "10", 100, members => members switch
        {
            <= 1_000 => quick ? 2 : 5,
            <= 5_000 => 2,
            _ => 1,
        }, quick);

    private static async Task<int> ExportAsync(Dictionary<string, string?> options)
    {
        if (!options.TryGetValue("members", out var membersText) || !int.TryParse(membersText, CultureInfo.InvariantCulture, out var members)
            || !options.TryGetValue("out", out var file) || file is null)
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var version = options.GetValueOrDefault("version") ?? "10";
        var room = await ForkedRoom.BuildAsync(BigRoomWorkload.Options(version, members));
        var fork = options.TryGetValue("conflicted", out var k) && k is not null
            ? await room.SelectForkAsync(int.Parse(k, CultureInfo.InvariantCulture))
            : await room.TipsAsync();
        RoomExport.Write(room, fork, file);
        Console.WriteLine(fork.ToJson().ToJsonString());
        return 0;
    }

    private static async Task<int> ProfileAsync(Dictionary<string, string?> options)
    {
        int Int(string name, int fallback) => options.TryGetValue(name, out var v) && v is not null ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var version = options.GetValueOrDefault("version") ?? "10";
        var room = await ForkedRoom.BuildAsync(NetsplitWorkload.Options(version, Int("members", 10_000), Int("side", 1_000)));
        var fork = await room.TipsAsync();
        var resolver = new Resolution.StateResolver(room.Graph);
        resolver.Resolve(fork.Sets);
        var stats = new Resolution.ResolutionStats();
        var measured = new Resolution.StateResolver(room.Graph, stats);
        Progress.Say($"profile: resolving v{version} for {Int("seconds", 20)} s (pid {Environment.ProcessId})");
        var started = Stopwatch.GetTimestamp();
        var runs = 0;
        while (Stopwatch.GetElapsedTime(started).TotalSeconds < Int("seconds", 20))
        {
            measured.Resolve(fork.Sets);
            runs++;
        }

        double Ms(long ticks) => Json.Round(Stopwatch.GetElapsedTime(0, ticks).TotalMilliseconds / runs);
        Console.WriteLine(new JsonObject
        {
            ["runs"] = runs,
            ["ms_per_run"] = Json.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds / runs),
            ["split_ms"] = Ms(stats.SplitTicks),
            ["auth_difference_ms"] = Ms(stats.AuthDifferenceTicks),
            ["sorts_ms"] = Ms(stats.SortTicks),
            ["replay_ms"] = Ms(stats.ReplayTicks),
            ["full_conflicted_set"] = stats.FullConflictedSet / runs,
            ["power_events"] = stats.PowerEvents / runs,
        }.ToJsonString());
        return 0;
    }

    /// <summary>Every goal of every workload that ran, in one list.</summary>
    private static JsonArray Goals(JsonObject workloads)
    {
        var goals = new JsonArray();
        if (workloads["big_room"]?["goals"] is JsonArray bigRoom)
        {
            foreach (var goal in bigRoom)
            {
                goals.Add(goal!.DeepClone());
            }

            var hundredK = ((JsonArray)workloads["big_room"]!["results"]!).Select(r => r!.AsObject()).Where(r => (int)r["members"]! == 100_000).ToList();
            if (hundredK.Count > 0)
            {
                goals.Add(new JsonObject
                {
                    ["goal"] = "peak memory per resolution at 100k members (report): bytes allocated per warm resolution, which is the "
                        + "peak extra managed heap (no collection runs inside one)",
                    ["allocated_bytes_max"] = hundredK.Max(r => (long)r["warm"]!["allocated_bytes_max"]!),
                    ["allocated_bytes_p50_by_row"] = new JsonArray([.. hundredK.Select(r => (JsonNode)$"v{r["room_version"]} K={r["target_conflicted_events"]}: {r["warm"]!["allocated_bytes_p50"]}")]),
                });
            }
        }

        if (workloads["netsplit"]?["results"] is JsonArray netsplit)
        {
            foreach (var row in netsplit.Select(r => r!.AsObject()))
            {
                goals.Add(new JsonObject
                {
                    ["goal"] = $"netsplit 2 x {row["events_per_side"]} events <= {row["goal_ms"]} ms (v{row["room_version"]})",
                    ["warm_p50_ms"] = row["warm"]!["p50_ms"]!.DeepClone(),
                    ["first_resolution_ms"] = row["first_resolution"]!["ms"]!.DeepClone(),
                    ["met"] = row["goal_met_warm_p50"]!.DeepClone(),
                    ["met_by_first_resolution"] = row["goal_met_first_resolution"]!.DeepClone(),
                });
            }
        }

        if (workloads["rocketchat"]?["results"] is JsonArray rc)
        {
            foreach (var row in rc.Select(r => r!.AsObject()))
            {
                goals.Add(new JsonObject
                {
                    ["goal"] = $">= {RocketChatComparison.GoalRatio}x faster than Rocket.Chat, identical state ({row["members"]} members, v{row["room_version"]})",
                    ["ratio_vs_warm"] = row["ratio_vs_warm"]?.DeepClone(),
                    ["ratio_vs_cold_fresh_graph"] = row["ratio_vs_cold_fresh_graph"]?.DeepClone(),
                    ["identical_state"] = row["identical_state"]?.DeepClone(),
                    ["met"] = row["goal_met"]?.DeepClone(),
                });
            }
        }

        return goals;
    }
}
