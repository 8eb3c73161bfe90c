using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreAuthDifferenceTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Two_forks_differ_by_their_own_changes_and_by_history_only_one_side_reaches()
    {
        // Common: create, Alice, power levels, join rules, members m1..m3. Fork A: m1 leaves, new power levels, m1
        // joins again (so its leave is only in A's auth chain). Fork B: m2 joins again (a profile change), m3 is kicked.
        // The common members' joins are in both chains (through the forks' member events), so they are not in it.
        var room = await NewStartedRoomAsync();
        room.State("$pl", EventTypes.PowerLevels, "", Alice, ["$j"], ["$c", "$j"]);
        room.State("$jr", EventTypes.JoinRules, "", Alice, ["$pl"], ["$c", "$pl", "$j"]);
        room.Member("$m1", "@m1:test", "join", ["$jr"], ["$c", "$pl", "$jr"]);
        room.Member("$m2", "@m2:test", "join", ["$m1"], ["$c", "$pl", "$jr"]);
        room.Member("$m3", "@m3:test", "join", ["$m2"], ["$c", "$pl", "$jr"]);
        room.Member("$a1", "@m1:test", "leave", ["$m3"], ["$c", "$pl", "$m1"]);
        room.State("$a2", EventTypes.PowerLevels, "", Alice, ["$a1"], ["$c", "$pl", "$j"]);
        room.Member("$a3", "@m1:test", "join", ["$a2"], ["$c", "$a2", "$jr", "$a1"]);
        room.Member("$b1", "@m2:test", "join", ["$m3"], ["$c", "$pl", "$jr", "$m2"]);
        room.Member("$b2", Alice, "leave", ["$b1"], ["$c", "$pl", "$j", "$m3"], target: "@m3:test");
        await PersistLineAsync(room, "$j", "$pl", "$jr", "$m1", "$m2", "$m3", "$a1", "$a2", "$a3");
        await PersistLineAsync(room, "$m3", "$b1", "$b2");

        var expected = new[] { "$a1", "$a2", "$a3", "$b1", "$b2" };
        Assert.Equal(expected, await Store.GetAuthChainDifferenceAtAsync(room.RoomId, ["$a3", "$b2"]));
        Assert.Equal(expected, await NaiveDifferenceAsync(room.RoomId, await StatesAsync(room.RoomId, "$a3", "$b2")));
        Assert.Equal(expected, await Store.GetAuthChainDifferenceAsync(room.RoomId, await StatesAsync(room.RoomId, "$a3", "$b2")));

        // A fresh store (another process) computes the same from the database.
        var (_, fresh) = NewStore();
        Assert.Equal(expected, await fresh.GetAuthChainDifferenceAtAsync(room.RoomId, ["$a3", "$b2"]));
        Assert.Empty((await Store.GetAuthChainDifferenceAtAsync(room.RoomId, ["$a3", "$a3"]))!);
        Assert.Null(await Store.GetAuthChainDifferenceAtAsync(room.RoomId, ["$a3", "$unknown"]));
    }

    [Fact]
    public async Task An_event_held_by_only_one_set_is_not_in_the_difference_when_an_event_of_every_set_descends_from_it()
    {
        // $x is only in set 1, but $y (in both sets) has $x in its auth chain, so $x is in both sets' chains.
        var room = await NewStartedRoomAsync();
        room.State("$x", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.State("$y", EventTypes.Name, "", Alice, ["$x"], ["$c", "$j", "$x"]);
        room.State("$z", EventTypes.Topic, "", Alice, ["$y"], ["$c", "$j"]);
        await Store.PersistEventsAsync([EventToPersist.Outlier(room["$x"]), EventToPersist.Outlier(room["$y"]), EventToPersist.Outlier(room["$z"])]);
        string[][] sets = [["$c", "$j", "$x", "$y"], ["$c", "$j", "$z", "$y"]];

        Assert.Equal(["$z"], await Store.GetAuthChainDifferenceAsync(room.RoomId, sets));
        Assert.Equal(["$z"], await NaiveDifferenceAsync(room.RoomId, sets));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_auth_graphs_give_the_difference_of_the_whole_auth_chains(int seed)
    {
        // 300 outliers over 40 slots, each citing up to 4 earlier events; sets take random events of random slots.
        var random = new Random(seed);
        var room = await NewStartedRoomAsync();
        var ids = new List<string> { "$c", "$j" };
        var batch = new List<EventToPersist>();
        for (var i = 0; i < 300; i++)
        {
            var auth = Enumerable.Range(0, random.Next(1, 5)).Select(_ => ids[random.Next(ids.Count)]).Distinct().ToArray();
            var id = $"$r{i}";
            batch.Add(EventToPersist.Outlier(room.State(id, "m.test", $"k{random.Next(40)}", Alice, ["$j"], auth)));
            ids.Add(id);
        }

        await Store.PersistEventsAsync(batch);
        for (var trial = 0; trial < 8; trial++)
        {
            var common = ids.Where(_ => random.Next(4) == 0).ToHashSet(StringComparer.Ordinal);
            var sets = Enumerable.Range(0, 2 + (trial % 3))
                .Select(_ => (IReadOnlyCollection<string>)[.. common.Concat(ids.Where(_ => random.Next(12) == 0)).Distinct(StringComparer.Ordinal)])
                .ToArray();

            Assert.Equal(await NaiveDifferenceAsync(room.RoomId, sets), await Store.GetAuthChainDifferenceAsync(room.RoomId, sets));
        }
    }

    private async Task PersistLineAsync(TestRoomDag room, string after, params string[] ids)
    {
        var previous = after;
        foreach (var id in ids)
        {
            await PersistAsync(After(room[id], previous));
            previous = id;
        }
    }

    private async Task<IReadOnlyCollection<string>[]> StatesAsync(string roomId, params string[] eventIds)
    {
        var states = new List<IReadOnlyCollection<string>>();
        foreach (var eventId in eventIds)
        {
            states.Add([.. (await Store.GetStateIdsAsync(roomId, eventId, StatePosition.After))!]);
        }

        return [.. states];
    }

    // The definition, computed the slow way: union minus intersection of each set's whole auth chain (set included).
    private async Task<IReadOnlyList<string>> NaiveDifferenceAsync(string roomId, IReadOnlyList<IReadOnlyCollection<string>> sets)
    {
        var chains = new List<HashSet<string>>();
        foreach (var set in sets)
        {
            chains.Add([.. await Store.GetAuthChainAsync(roomId, set, includeGiven: true)]);
        }

        var union = chains.SelectMany(chain => chain).ToHashSet(StringComparer.Ordinal);
        return [.. union.Where(id => !chains.All(chain => chain.Contains(id))).Order(StringComparer.Ordinal)];
    }
}
