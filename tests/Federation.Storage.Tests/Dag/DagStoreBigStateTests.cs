using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

/// <summary>States big enough that their ids are read in bulk (runs of consecutive nids, or the ids stored with big
/// state rows), not one by one.</summary>
public sealed class DagStoreBigStateTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_state_of_thousands_of_members_reads_back_whole_through_a_store_with_empty_caches()
    {
        // 3,000 members as outliers in three chunks with other events in between (so their nids form several runs),
        // then an event that takes them all as its state, and a few joins after it.
        var room = await NewStartedRoomAsync();
        var state = new Dictionary<StateSlot, string> { [new(EventTypes.Create, "")] = "$c", [new(EventTypes.Member, Alice)] = "$j" };
        for (var chunk = 0; chunk < 3; chunk++)
        {
            var outliers = new List<EventToPersist>();
            for (var i = chunk * 1000; i < (chunk + 1) * 1000; i++)
            {
                var user = $"@big{i}:test";
                outliers.Add(EventToPersist.Outlier(room.Member($"$big{i}", user, "join", ["$j"], ["$c"])));
                state[new StateSlot(EventTypes.Member, user)] = $"$big{i}";
            }

            await Store.PersistEventsAsync(outliers);
            await AppendMessagesAsync(room, chunk == 0 ? "$j" : $"$gap{chunk - 1}3", $"$gap{chunk}", 3);
        }

        room.Message("$all", Alice, ["$gap23"], ["$c", "$j"]);
        room.Member("$late", "@late:test", "join", ["$all"], ["$c"]);
        await PersistAsync(new EventToPersist(room["$all"]) { StateBefore = StateBefore.Full(state) }, After(room["$late"], "$all"));

        var (_, restarted) = NewStore();
        var ids = await restarted.GetStateIdsAsync(room.RoomId, "$late", StatePosition.After);
        Assert.Equal([.. state.Values.Append("$late").Order(StringComparer.Ordinal)], ids!.Order(StringComparer.Ordinal));
        Assert.Equal(ids, await restarted.GetStateIdsAsync(room.RoomId, "$late", StatePosition.After));

        var (_, another) = NewStore();
        var map = await another.GetStateAsync(room.RoomId, "$late", StatePosition.After);
        Assert.Equal(3003, map!.Count);
        Assert.Equal("$big2999", map[new StateSlot(EventTypes.Member, "@big2999:test")]);
        Assert.Equal("$late", map[new StateSlot(EventTypes.Member, "@late:test")]);
        Assert.All(state, entry => Assert.Equal(entry.Value, map[entry.Key]));
    }

    [Fact]
    public async Task A_room_version_1_state_with_arbitrary_ids_is_stored_with_its_ids_and_reads_back_cold_after_later_changes()
    {
        var room = new TestRoomDag($"!{Guid.NewGuid():N}:test", "1");
        room.Create("$c:origin.test", Alice);
        room.Member("$j:origin.test", Alice, "join", ["$c:origin.test"], ["$c:origin.test"]);
        await PersistAsync(First(room["$c:origin.test"]), After(room["$j:origin.test"], "$c:origin.test"));
        var state = new Dictionary<StateSlot, string>
        {
            [new(EventTypes.Create, "")] = "$c:origin.test",
            [new(EventTypes.Member, Alice)] = "$j:origin.test",
        };
        var outliers = new List<EventToPersist>();
        for (var i = 0; i < 2_500; i++)
        {
            var user = $"@m{i}:s{i % 7}.test";
            var id = $"${i % 13}-ünï {i}:s{i % 7}.test";
            outliers.Add(EventToPersist.Outlier(room.Member(id, user, "join", ["$j:origin.test"], ["$c:origin.test"])));
            state[new StateSlot(EventTypes.Member, user)] = id;
        }

        await Store.PersistEventsAsync(outliers);
        room.Message("$all:origin.test", Alice, ["$j:origin.test"], ["$c:origin.test", "$j:origin.test"]);
        await PersistAsync(new EventToPersist(room["$all:origin.test"]) { StateBefore = StateBefore.Full(state) });
        Assert.Equal(1, await StoredIdRowsAsync(room.RoomId));

        // Later deltas on the big row: a member replaced, a slot emptied, a new member.
        var replaced = new StateSlot(EventTypes.Member, "@m5:s5.test");
        var emptied = new StateSlot(EventTypes.Member, "@m6:s6.test");
        var added = new StateSlot(EventTypes.Member, "@new:origin.test");
        room.Member("$leave:s5.test", "@m5:s5.test", "leave", ["$all:origin.test"], ["$c:origin.test"]);
        room.Member("$new:origin.test", "@new:origin.test", "join", ["$leave:s5.test"], ["$c:origin.test"]);
        await PersistAsync(
            new EventToPersist(room["$leave:s5.test"])
            {
                StateBefore = StateBefore.Delta("$all:origin.test", new Dictionary<StateSlot, string?> { [emptied] = null }),
            },
            After(room["$new:origin.test"], "$leave:s5.test"));
        state[replaced] = "$leave:s5.test";
        state.Remove(emptied);
        state[added] = "$new:origin.test";

        var (_, cold) = NewStore();
        var ids = await cold.GetStateIdsAsync(room.RoomId, "$new:origin.test", StatePosition.After);
        Assert.Equal(state.Values.Order(StringComparer.Ordinal), ids!.Order(StringComparer.Ordinal));
        var (_, another) = NewStore();
        Assert.Equal(state, await another.GetStateAsync(room.RoomId, "$new:origin.test", StatePosition.After));
        Assert.Equal(
            [.. state.Values.Where(id => id != "$new:origin.test").Order(StringComparer.Ordinal)],
            (await another.GetStateIdsAsync(room.RoomId, "$new:origin.test", StatePosition.Before))!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_level_delta_gathering_a_big_row_stores_its_ids_when_written_by_a_store_with_empty_caches()
    {
        // A big state at height 3, then joins up to height 1,033: the groups at heights 32 and 1,024 are deltas on height 0
        // holding the big state and every join since, written by a store that loads the big row (and its ids) from the
        // database.
        var room = await NewStartedRoomAsync();
        var state = new Dictionary<StateSlot, string> { [new(EventTypes.Create, "")] = "$c", [new(EventTypes.Member, Alice)] = "$j" };
        var outliers = new List<EventToPersist>();
        for (var i = 0; i < 2_100; i++)
        {
            var user = $"@big{i}:test";
            outliers.Add(EventToPersist.Outlier(room.Member($"$big{i}", user, "join", ["$j"], ["$c"])));
            state[new StateSlot(EventTypes.Member, user)] = $"$big{i}";
        }

        await Store.PersistEventsAsync(outliers);
        room.Message("$all", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(new EventToPersist(room["$all"]) { StateBefore = StateBefore.Full(state) });

        var (_, writer) = NewStore();
        var previous = "$all";
        var checkpoints = new Dictionary<string, Dictionary<StateSlot, string>>();
        for (var batchStart = 0; batchStart < 1_030; batchStart += 50)
        {
            var batch = new List<EventToPersist>();
            for (var i = batchStart; i < Math.Min(batchStart + 50, 1_030); i++)
            {
                var id = $"$u{i}";
                var user = i % 10 == 0 ? $"@big{i}:test" : $"@u{i}:test";
                batch.Add(After(room.Member(id, user, "join", [previous], ["$c"]), previous));
                state[new StateSlot(EventTypes.Member, user)] = id;
                previous = id;
                if (i is 1_021 or 1_022 or 1_029)
                {
                    checkpoints[id] = new Dictionary<StateSlot, string>(state);
                }
            }

            await writer.PersistEventsAsync(batch);
        }

        Assert.Equal(3, await StoredIdRowsAsync(room.RoomId));
        var (_, cold) = NewStore();
        foreach (var (id, expected) in checkpoints)
        {
            var ids = await cold.GetStateIdsAsync(room.RoomId, id, StatePosition.After);
            Assert.Equal(expected.Values.Order(StringComparer.Ordinal), ids!.Order(StringComparer.Ordinal));
            Assert.Equal(expected, await cold.GetStateAsync(room.RoomId, id, StatePosition.After));
        }
    }

    [Fact]
    public async Task A_big_state_taken_after_a_prev_not_held_is_a_full_snapshot_stored_with_its_ids()
    {
        // As after a join: the members arrive as outliers with the state, and the joining event's prev is a hole.
        var room = NewRoom();
        room.Create("$c", Alice);
        var state = new Dictionary<StateSlot, string> { [new(EventTypes.Create, "")] = "$c" };
        var outliers = new List<EventToPersist> { EventToPersist.Outlier(room["$c"]) };
        for (var i = 0; i < 2_048; i++)
        {
            var user = $"@m{i}:remote.test";
            outliers.Add(EventToPersist.Outlier(room.Member($"$m{i}", user, "join", ["$c"], ["$c"])));
            state[new StateSlot(EventTypes.Member, user)] = $"$m{i}";
        }

        await Store.PersistEventsAsync(outliers);
        room.Member("$join", Alice, "join", ["$not-held"], ["$c"]);
        await PersistAsync(new EventToPersist(room["$join"]) { StateBefore = StateBefore.Full(state) });

        Assert.Equal(1, await StoredIdRowsAsync(room.RoomId));
        var (_, cold) = NewStore();
        Assert.Equal(state, await cold.GetStateAsync(room.RoomId, "$join", StatePosition.Before));
    }

    private Task<long> StoredIdRowsAsync(string roomId) =>
        ScalarAsync<long>(
            "SELECT count(*) FROM state_groups WHERE event_ids IS NOT NULL AND room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)",
            roomId);
}
