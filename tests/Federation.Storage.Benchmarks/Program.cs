using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Storage.Benchmarks.Harness;
using Federation.Storage.Benchmarks.Workloads;

namespace Federation.Storage.Benchmarks;

/// <summary>
/// Storage benchmark suite (figures in docs/benchmarks.md, "Storage"). Starts a throwaway Postgres cluster as the
/// tests do (or uses <c>FEDERATION_TEST_POSTGRES</c>), prints one JSON document on stdout and progress on stderr.
/// <code>
/// dotnet run -c Release --project tests/Federation.Storage.Benchmarks -- all|persist|state-ids|walks|auth-difference [--quick] [--out FILE]
/// </code>
/// </summary>
public static class Program
{
    private const string Usage =
        "usage: Federation.Storage.Benchmarks all|persist|state-ids|walks|auth-difference [--quick] [--out FILE]";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("all" or "persist" or "state-ids" or "walks" or "auth-difference"))
        {
            await Console.Error.WriteLineAsync(Usage);
            return args.Length == 0 ? 2 : 1;
        }

        var quick = args.Contains("--quick");
        var outIndex = Array.IndexOf(args, "--out");
        var outFile = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : null;
        var started = Stopwatch.GetTimestamp();
        var workloads = new JsonObject();
        var output = new JsonObject
        {
            ["suite"] = "storage",
            ["command"] = "dotnet run -c Release --project tests/Federation.Storage.Benchmarks -- " + string.Join(' ', args),
            ["machine"] = Machine.Describe(),
            ["workloads"] = workloads,
        };

        var command = args[0];
        if (command is "all" or "persist")
        {
            workloads["persist"] = await PersistWorkload.RunAsync(quick);
        }

        if (command is "all" or "state-ids")
        {
            workloads["state_ids"] = await StateIdsWorkload.RunAsync(quick);
        }

        if (command is "all" or "walks")
        {
            workloads["walks"] = await WalkWorkload.RunAsync(quick);
        }

        if (command is "all" or "auth-difference")
        {
            workloads["auth_difference"] = await AuthDifferenceWorkload.RunAsync(quick);
        }

        output["load_average_at_end"] = Machine.LoadAverage();
        output["total_seconds"] = Timings.Round(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var text = output.ToJsonString(Indented);
        Console.WriteLine(text);
        if (outFile is not null)
        {
            await File.WriteAllTextAsync(outFile, text + Environment.NewLine);
        }

        return 0;
    }

    /// <summary>Progress on stderr, so stdout stays one JSON document.</summary>
    internal static void Progress(string line) => Console.Error.WriteLine(line);
}
