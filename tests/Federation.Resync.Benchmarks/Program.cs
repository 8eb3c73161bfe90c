using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Benchmarks;

/// <summary>
/// CPU cost of MSC4500 state fingerprints (figures in docs/benchmarks.md, "Re-sync: state fingerprints"): one element
/// expansion, one lane pass, one collapse, a state change (add, remove, replace) and a full recompute of a big room's
/// state. Each figure is the median of several runs after a warm-up, in CPU time of the process (the benchmark is
/// single-threaded; CPU time stays meaningful on a shared, oversubscribed machine where wall time does not); prints
/// one JSON document on stdout.
/// <code>
/// dotnet run -c Release --project tests/Federation.Resync.Benchmarks -- [--members N] [--quick]
/// </code>
/// </summary>
public static class Program
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var membersAt = Array.IndexOf(args, "--members");
        var members = membersAt >= 0 && membersAt + 1 < args.Length
            ? int.Parse(args[membersAt + 1], CultureInfo.InvariantCulture)
            : quick ? 10_000 : 100_000;
        var operations = quick ? 2_000 : 20_000;
        var runs = quick ? 3 : 5;

        var entries = Enumerable.Range(0, members)
            .Select(i => new StateEntry("m.room.member", $"@user{i}:server{i % 500}.example.org", $"$member-event-{i:D8}-aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"))
            .ToArray();
        var expansion = new byte[StateLattice.Size];
        var lattice = StateLattice.Empty();
        var accumulator = StateAccumulator.Of(entries.Take(1_000));

        var result = new JsonObject
        {
            ["suite"] = "resync-fingerprints",
            ["command"] = "dotnet run -c Release --project tests/Federation.Resync.Benchmarks -- " + string.Join(' ', args),
            ["machine"] = new JsonObject
            {
                ["os"] = RuntimeInformation.OSDescription,
                ["runtime"] = RuntimeInformation.FrameworkDescription,
                ["cpus"] = Environment.ProcessorCount,
                ["vector_bytes"] = System.Numerics.Vector<byte>.Count,
            },
            ["expansion_us"] = PerOperation(runs, operations, i =>
            {
                var e = entries[i % entries.Length];
                StateElement.Expand(e.Type, e.StateKey, e.EventId, expansion);
            }),
            ["lane_add_us"] = PerOperation(runs, operations * 10, _ => lattice.AddExpansion(expansion)),
            ["collapse_us"] = PerOperation(runs, operations, _ => lattice.Digest()),
            ["add_us"] = PerOperation(runs, operations, i => accumulator.Add(entries[i % entries.Length])),
            ["remove_us"] = PerOperation(runs, operations, i => accumulator.Remove(entries[i % entries.Length])),
            ["replace_us"] = PerOperation(runs, operations, i =>
            {
                var e = entries[i % entries.Length];
                accumulator.Replace(e, e with { EventId = e.EventId + "x" });
            }),
            ["state_change_with_digest_us"] = PerOperation(runs, operations, i =>
            {
                var e = entries[i % entries.Length];
                accumulator.Replace(e, e with { EventId = e.EventId + "y" });
                accumulator.Fingerprint();
            }),
            ["members"] = members,
            ["full_recompute_ms"] = Median(runs, () => StateAccumulator.Of(entries).Fingerprint()) * 1_000,
        };
        Console.WriteLine(result.ToJsonString(Indented));
        return 0;
    }

    // Microseconds per operation: the median over runs of count operations, after one warm-up run.
    private static double PerOperation(int runs, int count, Action<int> operation) =>
        Math.Round(Median(runs, () =>
        {
            for (var i = 0; i < count; i++)
            {
                operation(i);
            }
        }) * 1_000_000 / count, 3);

    // CPU seconds: the median of runs timed runs of the action, after one warm-up run. (Linux counts process CPU time
    // in 10 ms ticks, so every run is sized to take well over that.)
    private static double Median(int runs, Action action)
    {
        action();
        var times = new double[runs];
        using var process = Process.GetCurrentProcess();
        for (var run = 0; run < runs; run++)
        {
            process.Refresh();
            var started = process.TotalProcessorTime;
            action();
            process.Refresh();
            times[run] = (process.TotalProcessorTime - started).TotalSeconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}
