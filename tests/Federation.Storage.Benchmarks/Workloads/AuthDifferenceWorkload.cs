using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Storage.Benchmarks.Harness;
using Federation.Storage.Dag;
using Federation.Testing.Dag;

namespace Federation.Storage.Benchmarks.Workloads;

/// <summary>
/// Auth chain difference of the states at the tips of two forks of a 100k-member room, through the store: by the
/// states at two events (read from the state groups) and by two lists of 100k event ids.
/// </summary>
internal static class AuthDifferenceWorkload
{
    public static async Task<JsonObject> RunAsync(bool quick)
    {
        var members = quick ? 20_000 : 100_000;
        await using var database = await BenchDatabase.CreateAsync();
        var store = database.NewStore();
        var room = await RoomLines.StartAsync(store);
        room.State("$pl", EventTypes.PowerLevels, "", RoomLines.Alice, ["$j"], ["$c", "$j"]);
        room.State("$jr", EventTypes.JoinRules, "", RoomLines.Alice, ["$pl"], ["$c", "$j", "$pl"]);
        await store.PersistEventsAsync([EventToPersist.Accepted(room["$pl"], "$j"), EventToPersist.Accepted(room["$jr"], "$pl")]);

        var state = new Dictionary<StateSlot, string>
        {
            [new(EventTypes.Create, "")] = "$c",
            [new(EventTypes.Member, RoomLines.Alice)] = "$j",
            [new(EventTypes.PowerLevels, "")] = "$pl",
            [new(EventTypes.JoinRules, "")] = "$jr",
        };
        var outliers = new List<EventToPersist>(members);
        for (var i = 0; i < members; i++)
        {
            var user = $"@m{i}:s{i % 1000}.test";
            outliers.Add(EventToPersist.Outlier(room.Member($"$m{i}", user, "join", ["$jr"], ["$c", "$pl", "$jr"])));
            state[new StateSlot(EventTypes.Member, user)] = $"$m{i}";
        }

        foreach (var chunk in outliers.Chunk(1000))
        {
            await store.PersistEventsAsync(chunk);
        }

        // As after a /send_join: the first timeline event builds on the state's outliers, so its state is a new full
        // snapshot (a big delta on a small earlier state would be restated by the next level deltas).
        room.Message("$big", RoomLines.Alice, [$"$m{members - 1}"], ["$c", "$j"]);
        await store.PersistEventsAsync([new EventToPersist(room["$big"]) { StateBefore = StateBefore.Full(state) }]);
        Program.Progress($"auth-difference: {members}-member room built");

        var result = new JsonObject { ["members"] = members };
        foreach (var conflicted in new[] { 10, 100 })
        {
            var (tipA, tipB) = await ForksAsync(store, room, conflicted);
            result[$"conflicted_{conflicted}"] = await MeasureAsync(database, store, room, tipA, tipB);
        }

        return result;
    }

    // Fork A: members leave and one power-levels change; fork B: other members change their profile and a topic is set.
    private static async Task<(string TipA, string TipB)> ForksAsync(DagStore store, TestRoomDag room, int conflicted)
    {
        var a = new List<EventToPersist>();
        var b = new List<EventToPersist>();
        string previousA = "$big", previousB = "$big";
        for (var i = 0; i < conflicted / 2; i++)
        {
            var leaver = conflicted * 1000 + i;
            var changer = conflicted * 1000 + 500 + i;
            var idA = $"$k{conflicted}a{i}";
            var idB = $"$k{conflicted}b{i}";
            a.Add(EventToPersist.Accepted(
                room.Member(idA, $"@m{leaver}:s{leaver % 1000}.test", "leave", [previousA], ["$c", "$pl", $"$m{leaver}"]), previousA));
            b.Add(EventToPersist.Accepted(
                room.Member(idB, $"@m{changer}:s{changer % 1000}.test", "join", [previousB], ["$c", "$pl", "$jr", $"$m{changer}"]), previousB));
            previousA = idA;
            previousB = idB;
        }

        var pl = $"$k{conflicted}pl";
        var topic = $"$k{conflicted}topic";
        a.Add(EventToPersist.Accepted(room.State(pl, EventTypes.PowerLevels, "", RoomLines.Alice, [previousA], ["$c", "$pl", "$j"]), previousA));
        b.Add(EventToPersist.Accepted(room.State(topic, EventTypes.Topic, "", RoomLines.Alice, [previousB], ["$c", "$pl", "$j"]), previousB));
        await store.PersistEventsAsync(a);
        await store.PersistEventsAsync(b);
        return (pl, topic);
    }

    private static async Task<JsonObject> MeasureAsync(BenchDatabase database, DagStore store, TestRoomDag room, string tipA, string tipB)
    {
        var watch = Stopwatch.StartNew();
        var fresh = await database.NewOpenedStoreAsync();
        var first = await fresh.GetAuthChainDifferenceAtAsync(room.RoomId, [tipA, tipB]);
        var coldMs = watch.Elapsed.TotalMilliseconds;

        var atEvents = new Timings();
        for (var i = 0; i < 50; i++)
        {
            watch.Restart();
            await store.GetAuthChainDifferenceAtAsync(room.RoomId, [tipA, tipB]);
            atEvents.Add(watch.Elapsed);
        }

        IReadOnlyCollection<string>[] sets =
        [
            [.. (await store.GetStateIdsAsync(room.RoomId, tipA, StatePosition.After))!],
            [.. (await store.GetStateIdsAsync(room.RoomId, tipB, StatePosition.After))!],
        ];
        var byIds = new Timings();
        IReadOnlyList<string> second = [];
        for (var i = 0; i < 20; i++)
        {
            watch.Restart();
            second = await store.GetAuthChainDifferenceAsync(room.RoomId, sets);
            byIds.Add(watch.Elapsed);
        }

        if (first is null || !first.SequenceEqual(second))
        {
            throw new InvalidOperationException("The two ways of asking gave different differences.");
        }

        Program.Progress($"auth-difference {tipA} vs {tipB}: {first.Count} events; at events {atEvents}; by ids {byIds}; cold {coldMs:F0} ms");
        return new JsonObject
        {
            ["difference_size"] = first.Count,
            ["state_size"] = sets[0].Count,
            ["at_events_warm"] = atEvents.ToJson(),
            ["by_id_lists_warm"] = byIds.ToJson(),
            ["at_events_cold_ms"] = Timings.Round(coldMs),
        };
    }
}
