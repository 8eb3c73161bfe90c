using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Storage.Benchmarks.Harness;
using Federation.Storage.Dag;

namespace Federation.Storage.Benchmarks.Workloads;

/// <summary>
/// State ids at an event of a 100k-member room, cold (a new store: empty caches, as after a restart) and warm, and
/// the bytes each extra event costs there.
/// </summary>
internal static class StateIdsWorkload
{
    private const string DagBytesSql =
        """
        SELECT sum(pg_total_relation_size(t))::bigint FROM unnest(ARRAY['events', 'event_ids', 'event_json', 'event_prev_edges',
            'state_groups', 'state_slots', 'forward_extremities', 'missing_events']) AS t
        """;

    public static async Task<JsonObject> RunAsync(bool quick)
    {
        var members = quick ? 20_000 : 100_000;
        const int extra = 2_000;
        await using var database = await BenchDatabase.CreateAsync();
        var store = database.NewStore();
        var room = await RoomLines.StartAsync(store);

        // The members arrive as outliers (as from a /send_join state), then one event takes the whole state.
        var state = new Dictionary<StateSlot, string>
        {
            [new(EventTypes.Create, "")] = "$c",
            [new(EventTypes.Member, RoomLines.Alice)] = "$j",
        };
        var outliers = new List<EventToPersist>(members);
        for (var i = 0; i < members; i++)
        {
            var user = $"@m{i}:s{i % 1000}.test";
            outliers.Add(EventToPersist.Outlier(room.Member($"$m{i}", user, "join", ["$j"], ["$c"])));
            state[new StateSlot(EventTypes.Member, user)] = $"$m{i}";
        }

        var watch = Stopwatch.StartNew();
        foreach (var chunk in outliers.Chunk(1000))
        {
            await store.PersistEventsAsync(chunk);
        }

        var outlierSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();
        room.Message("$big", RoomLines.Alice, ["$j"], ["$c", "$j"]);
        await store.PersistEventsAsync([new EventToPersist(room["$big"]) { StateBefore = StateBefore.Full(state) }]);
        var fullStateMs = watch.Elapsed.TotalMilliseconds;
        Program.Progress($"state-ids: {members} members in {outlierSeconds:F1} s, full-state event in {fullStateMs:F0} ms");

        var sizeBefore = await database.ScalarAsync<long>(DagBytesSql);
        await RoomLines.PersistAllAsync(store, RoomLines.Line(room, "$big", "$late", extra, joins: true));
        var sizeAfterJoins = await database.ScalarAsync<long>(DagBytesSql);
        await RoomLines.PersistAllAsync(store, RoomLines.Line(room, $"$late{extra}", "$msg", extra, joins: false));
        var sizeAfterMessages = await database.ScalarAsync<long>(DagBytesSql);
        var stateGroupBytes = await database.ScalarAsync<long>("SELECT pg_total_relation_size('state_groups')");

        var target = $"$late{extra}";
        var expected = members + 2 + extra - 1;
        // The code of the cold path runs once per fresh store; run it until the JIT has optimised it, as it would be in
        // a server that has been up for a while (only the store's caches are cold in the measured runs).
        for (var i = 0; i < 30; i++)
        {
            await (await database.NewOpenedStoreAsync()).GetStateIdsAsync(room.RoomId, target, StatePosition.Before);
        }

        var cold = new Timings();
        var warm = new Timings();
        var runs = quick ? 5 : 10;
        await using var cpu = new CpuMeter(database.ConnectionString);
        var (coldClientMs, coldServerMs) = (0.0, 0.0);
        for (var run = 0; run < runs; run++)
        {
            // A new store has empty caches, as after a restart; its connection pool is opened first, so that Npgsql's
            // one-off type loading for a new data source is not counted.
            var fresh = await database.NewOpenedStoreAsync();
            await cpu.StartAsync();
            watch.Restart();
            var ids = await fresh.GetStateIdsAsync(room.RoomId, target, StatePosition.Before);
            cold.Add(watch.Elapsed);
            var (clientMs, serverMs) = await cpu.StopAsync();
            coldClientMs += clientMs / runs;
            coldServerMs += serverMs / runs;
            if (ids?.Count != expected)
            {
                throw new InvalidOperationException($"Expected {expected} state ids, got {ids?.Count}.");
            }

            for (var i = 0; i < 10; i++)
            {
                watch.Restart();
                await fresh.GetStateIdsAsync(room.RoomId, target, StatePosition.Before);
                warm.Add(watch.Elapsed);
            }
        }

        Program.Progress($"state-ids: cold {cold} (CPU {coldClientMs:F0} ms client, {coldServerMs:F0} ms Postgres); warm {warm}");
        return new JsonObject
        {
            ["members"] = members,
            ["state_ids"] = expected,
            ["member_outliers_seconds"] = Timings.Round(outlierSeconds),
            ["full_state_event_ms"] = Timings.Round(fullStateMs),
            ["bytes_per_extra_join"] = (sizeAfterJoins - sizeBefore) / extra,
            ["bytes_per_extra_message"] = (sizeAfterMessages - sizeAfterJoins) / extra,
            ["state_groups_total_bytes"] = stateGroupBytes,
            ["cold"] = cold.ToJson(),
            ["cold_cpu_ms_mean"] = new JsonObject
            {
                ["client"] = Timings.Round(coldClientMs),
                ["postgres"] = Timings.Round(coldServerMs),
            },
            ["warm"] = warm.ToJson(),
        };
    }
}
