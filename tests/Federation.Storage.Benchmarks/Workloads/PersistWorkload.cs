using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.Storage.Benchmarks.Harness;
using Federation.Storage.Dag;
using Federation.Testing.Dag;

namespace Federation.Storage.Benchmarks.Workloads;

/// <summary>Persist throughput in batches of 50 pre-verified events, one writer or four writers on four rooms.</summary>
internal static class PersistWorkload
{
    public static async Task<JsonObject> RunAsync(bool quick)
    {
        await using var database = await BenchDatabase.CreateAsync();
        var store = database.NewStore();
        var warm = await RoomLines.StartAsync(store);
        await RoomLines.PersistAllAsync(store, RoomLines.Line(warm, "$j", "$w", quick ? 500 : 2_000, joins: true));

        var perWriter = quick ? 2_000 : 10_000;
        var result = new JsonObject { ["events_per_writer"] = perWriter, ["batch_size"] = 50 };
        foreach (var (label, joins, writers) in new[]
        {
            ("messages_1_writer", false, 1), ("joins_1_writer", true, 1), ("messages_4_writers", false, 4), ("joins_4_writers", true, 4),
        })
        {
            var rooms = new List<(TestRoomDag Room, List<List<EventToPersist>> Batches)>();
            for (var w = 0; w < writers; w++)
            {
                var room = await RoomLines.StartAsync(store);
                rooms.Add((room, RoomLines.Line(room, "$j", "$x", perWriter, joins)));
            }

            await using var cpu = new CpuMeter(database.ConnectionString);
            await cpu.StopAsync();
            Program.Progress($"persist {label}: measuring");
            await cpu.StartAsync();
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(rooms.Select(r => Task.Run(() => RoomLines.PersistAllAsync(store, r.Batches))));
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
}
