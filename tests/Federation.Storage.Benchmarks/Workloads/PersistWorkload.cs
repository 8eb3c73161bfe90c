using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.Storage.Benchmarks.Harness;
using Federation.Storage.Dag;

namespace Federation.Storage.Benchmarks.Workloads;

/// <summary>Persist throughput in batches of 50 pre-verified events, one writer or four writers on four rooms.</summary>
internal static class PersistWorkload
{
    private static readonly (string Label, bool Joins, int Writers)[] Phases =
    [
        ("messages_1_writer", false, 1), ("joins_1_writer", true, 1), ("messages_4_writers", false, 4), ("joins_4_writers", true, 4),
    ];

    public static async Task<JsonObject> RunAsync(bool quick)
    {
        await using var database = await BenchDatabase.CreateAsync();
        var store = database.NewStore();

        // Every phase once, unmeasured, in rooms of its own: the JIT's second tier compiles what each shape runs (the
        // four-writer phases reach code the one-writer phases do not), so the figures are the process's steady state.
        foreach (var (_, joins, writers) in Phases)
        {
            await PersistLinesAsync(store, await NewLinesAsync(store, writers, quick ? 200 : 1_000, joins));
        }

        var perWriter = quick ? 2_000 : 10_000;
        var result = new JsonObject { ["events_per_writer"] = perWriter, ["batch_size"] = 50 };
        foreach (var (label, joins, writers) in Phases)
        {
            var lines = await NewLinesAsync(store, writers, perWriter, joins);
            await using var cpu = new CpuMeter(database.ConnectionString);
            await cpu.StopAsync();
            Program.Progress($"persist {label}: measuring");
            await cpu.StartAsync();
            var watch = Stopwatch.StartNew();
            await PersistLinesAsync(store, lines);
            watch.Stop();
            var (clientMs, serverMs) = await cpu.StopAsync();
            var events = writers * perWriter;
            var perSecond = events / watch.Elapsed.TotalSeconds;
            Program.Progress(
                $"persist {label}: {perSecond:F0} events/s; CPU per event {clientMs * 1000 / events:F0} µs client, {serverMs * 1000 / events:F0} µs Postgres");
            result[label] = new JsonObject
            {
                ["events"] = events,
                ["seconds"] = Timings.Round(watch.Elapsed.TotalSeconds),
                ["events_per_second"] = Math.Round(perSecond),
                ["client_cpu_us_per_event"] = Math.Round(clientMs * 1000 / events, 1),
                ["postgres_cpu_us_per_event"] = Math.Round(serverMs * 1000 / events, 1),
            };
        }

        return result;
    }

    /// <summary>One new room per writer, each with a line of <paramref name="perWriter"/> events in batches.</summary>
    private static async Task<List<List<List<EventToPersist>>>> NewLinesAsync(DagStore store, int writers, int perWriter, bool joins)
    {
        var lines = new List<List<List<EventToPersist>>>();
        for (var w = 0; w < writers; w++)
        {
            var room = await RoomLines.StartAsync(store);
            lines.Add(RoomLines.Line(room, "$j", "$x", perWriter, joins));
        }

        return lines;
    }

    /// <summary>Each line by its own writer, all at once.</summary>
    private static Task PersistLinesAsync(DagStore store, List<List<List<EventToPersist>>> lines) =>
        Task.WhenAll(lines.Select(batches => Task.Run(() => RoomLines.PersistAllAsync(store, batches))));
}
