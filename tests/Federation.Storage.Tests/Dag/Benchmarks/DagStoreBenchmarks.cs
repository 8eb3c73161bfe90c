using System.Diagnostics;
using System.Globalization;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;
using Xunit.Abstractions;

namespace Federation.Storage.Tests.Dag.Benchmarks;

/// <summary>
/// Storage measurements recorded in docs/benchmarks.md ("Storage"). They print figures and assert nothing about time.
/// Run: <c>FEDERATION_STORAGE_BENCH=1 dotnet test tests/Federation.Storage.Tests -c Release --filter "FullyQualifiedName~DagStoreBenchmarks" --logger "console;verbosity=detailed"</c>.
/// </summary>
public sealed class DagStoreBenchmarks(PostgresDatabaseFixture database, ITestOutputHelper output)
    : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [BenchmarkFact]
    public async Task Persist_throughput_in_batches_of_fifty()
    {
        await Warm();
        foreach (var (label, stateEvents, writers) in new[] { ("messages, 1 writer", false, 1), ("member joins, 1 writer", true, 1), ("messages, 4 writers (4 rooms)", false, 4), ("member joins, 4 writers (4 rooms)", true, 4) })
        {
            const int perWriter = 10_000;
            var rooms = new List<(TestRoomDag Room, List<List<EventToPersist>> Batches)>();
            for (var w = 0; w < writers; w++)
            {
                var room = await NewStartedRoomAsync();
                rooms.Add((room, Line(room, "$j", "$x", perWriter, stateEvents)));
            }

            var watch = Stopwatch.StartNew();
            await Task.WhenAll(rooms.Select(async r =>
            {
                foreach (var batch in r.Batches)
                {
                    await Store.PersistEventsAsync(batch);
                }
            }));
            watch.Stop();
            Report($"persist {label}: {writers * perWriter} events in {watch.Elapsed.TotalSeconds:F2} s = {writers * perWriter / watch.Elapsed.TotalSeconds:F0} events/s");
        }
    }

    [BenchmarkFact]
    public async Task State_ids_in_a_room_of_one_hundred_thousand_members()
    {
        const int members = 100_000;
        var room = await NewStartedRoomAsync();
        // The members arrive as outliers (as from a /send_join state), then one event takes the whole state.
        var state = new Dictionary<StateSlot, string> { [new(EventTypes.Create, "")] = "$c", [new(EventTypes.Member, Alice)] = "$j" };
        var outliers = new List<EventToPersist>();
        for (var i = 0; i < members; i++)
        {
            var user = $"@m{i}:s{i % 1000}.test";
            var id = $"$m{i}";
            outliers.Add(EventToPersist.Outlier(room.Member(id, user, "join", ["$j"], ["$c"])));
            state[new StateSlot(EventTypes.Member, user)] = id;
        }

        var watch = Stopwatch.StartNew();
        foreach (var chunk in outliers.Chunk(1000))
        {
            await Store.PersistEventsAsync(chunk);
        }

        Report($"100k-member room: {members} member outliers persisted in {watch.Elapsed.TotalSeconds:F1} s");
        watch.Restart();
        room.Message("$big", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(new EventToPersist(room["$big"]) { StateBefore = StateBefore.Full(state) });
        Report($"100k-member room: event with a full 100k state persisted in {watch.Elapsed.TotalMilliseconds:F0} ms");

        var sizeBefore = await DagBytesAsync();
        const int extra = 2_000;
        foreach (var batch in Line(room, "$big", "$late", extra, stateEvents: true))
        {
            await Store.PersistEventsAsync(batch);
        }

        var sizeAfterJoins = await DagBytesAsync();
        foreach (var batch in Line(room, $"$late{extra}", "$msg", extra, stateEvents: false))
        {
            await Store.PersistEventsAsync(batch);
        }

        var sizeAfterMessages = await DagBytesAsync();
        Report($"bytes per extra event in the 100k room: {(sizeAfterJoins - sizeBefore) / extra} (member join, state change), "
            + $"{(sizeAfterMessages - sizeAfterJoins) / extra} (message); state_groups alone: {await ScalarAsync<long>("SELECT pg_total_relation_size('state_groups')")} bytes in all");

        var target = $"$late{extra}";
        var cold = new List<double>();
        var warmTimes = new List<double>();
        for (var run = 0; run < 5; run++)
        {
            var (_, fresh) = NewStore();
            watch.Restart();
            var ids = await fresh.GetStateIdsAsync(room.RoomId, target, StatePosition.Before);
            cold.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(members + 2 + extra - 1, ids!.Count);
            for (var i = 0; i < 10; i++)
            {
                watch.Restart();
                await fresh.GetStateIdsAsync(room.RoomId, target, StatePosition.Before);
                warmTimes.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        Report($"state ids before an event in the 100k room ({members + extra + 1} ids): cold (new store, empty caches) {Stats(cold)}; warm {Stats(warmTimes)}");
    }

    [BenchmarkFact]
    public async Task Get_missing_events_in_a_room_of_two_hundred_thousand_events()
    {
        const int events = 200_000;
        var room = await NewStartedRoomAsync();
        var watch = Stopwatch.StartNew();
        foreach (var batch in Line(room, "$j", "$e", events, stateEvents: false))
        {
            await Store.PersistEventsAsync(batch);
        }

        Report($"200k-event room built in {watch.Elapsed.TotalSeconds:F1} s");
        var times = new List<double>();
        var random = new Random(7);
        var (_, store) = NewStore();
        for (var i = 0; i < 200; i++)
        {
            var latest = random.Next(1_000, events);
            watch.Restart();
            var result = await store.GetMissingEventsAsync(room.RoomId, [$"$e{latest - 50}"], [$"$e{latest}"], 20);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(20, result.Count);
        }

        Report($"get_missing_events limit 20 in the 200k-event room: {Stats(times)}");
        times.Clear();
        for (var i = 0; i < 100; i++)
        {
            var latest = random.Next(1_000, events);
            watch.Restart();
            var result = await store.GetBackfillAsync(room.RoomId, [$"$e{latest}"], 100);
            times.Add(watch.Elapsed.TotalMilliseconds);
            Assert.Equal(100, result.Count);
        }

        Report($"backfill limit 100 in the 200k-event room: {Stats(times)}");
    }

    private static List<List<EventToPersist>> Line(TestRoomDag room, string after, string prefix, int count, bool stateEvents)
    {
        var batches = new List<List<EventToPersist>>();
        var previous = after;
        for (var i = 1; i <= count; i++)
        {
            if ((i - 1) % 50 == 0)
            {
                batches.Add([]);
            }

            var id = $"{prefix}{i}";
            var pdu = stateEvents
                ? room.Member(id, $"@{prefix[1..]}{i}:bench.test", "join", [previous], ["$c", "$j"])
                : room.Message(id, Alice, [previous], ["$c", "$j"], "a message of moderate length, as people write them " + i);
            batches[^1].Add(After(pdu, previous));
            previous = id;
        }

        return batches;
    }

    private async Task Warm()
    {
        var room = await NewStartedRoomAsync();
        foreach (var batch in Line(room, "$j", "$w", 500, stateEvents: true))
        {
            await Store.PersistEventsAsync(batch);
        }
    }

    private Task<long> DagBytesAsync() =>
        ScalarAsync<long>(
            """
            SELECT sum(pg_total_relation_size(t))::bigint FROM unnest(ARRAY['events', 'event_ids', 'event_json', 'event_prev_edges',
                'event_auth_edges', 'state_groups', 'state_slots', 'forward_extremities', 'missing_events']) AS t
            """);

    private static string Stats(List<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"median {sorted[sorted.Length / 2]:F2} ms, p95 {sorted[(int)(sorted.Length * 0.95)]:F2} ms, min {sorted[0]:F2} ms, max {sorted[^1]:F2} ms (n={sorted.Length})");
    }

    private void Report(string line)
    {
        output.WriteLine(line);
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "federation-storage-bench.txt"), line + Environment.NewLine);
    }
}
