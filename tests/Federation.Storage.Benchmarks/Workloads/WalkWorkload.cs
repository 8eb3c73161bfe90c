using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.Storage.Benchmarks.Harness;

namespace Federation.Storage.Benchmarks.Workloads;

/// <summary>/get_missing_events (limit 20) and /backfill (limit 100) at random points of a 200k-event room.</summary>
internal static class WalkWorkload
{
    public static async Task<JsonObject> RunAsync(bool quick)
    {
        var events = quick ? 20_000 : 200_000;
        await using var database = await BenchDatabase.CreateAsync();
        var writer = database.NewStore();
        var room = await RoomLines.StartAsync(writer);
        var watch = Stopwatch.StartNew();
        await RoomLines.PersistAllAsync(writer, RoomLines.Line(room, "$j", "$e", events, joins: false));
        var buildSeconds = watch.Elapsed.TotalSeconds;
        Program.Progress($"walks: {events}-event room built in {buildSeconds:F1} s");

        var store = database.NewStore();
        var random = new Random(7);
        var missing = new Timings();
        for (var i = 0; i < 300; i++)
        {
            var latest = random.Next(1_000, events);
            watch.Restart();
            var result = await store.GetMissingEventsAsync(room.RoomId, [$"$e{latest - 50}"], [$"$e{latest}"], 20);
            missing.Add(watch.Elapsed);
            Check(result.Count, 20);
        }

        var backfill = new Timings();
        for (var i = 0; i < 100; i++)
        {
            var latest = random.Next(1_000, events);
            watch.Restart();
            var result = await store.GetBackfillAsync(room.RoomId, [$"$e{latest}"], 100);
            backfill.Add(watch.Elapsed);
            Check(result.Count, 100);
        }

        Program.Progress($"walks: get_missing_events {missing}; backfill {backfill}");
        return new JsonObject
        {
            ["events"] = events,
            ["build_seconds"] = Timings.Round(buildSeconds),
            ["get_missing_events_limit_20"] = missing.ToJson(),
            ["backfill_limit_100"] = backfill.ToJson(),
        };
    }

    private static void Check(int count, int expected)
    {
        if (count != expected)
        {
            throw new InvalidOperationException($"Expected {expected} events, got {count}.");
        }
    }
}
