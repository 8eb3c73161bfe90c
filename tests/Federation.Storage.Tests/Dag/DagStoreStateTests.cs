using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Storage.Dag.State;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreStateTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private static readonly StateSlot CreateSlot = new(EventTypes.Create, "");
    private static readonly StateSlot AliceSlot = new(EventTypes.Member, Alice);
    private static readonly StateSlot BobSlot = new(EventTypes.Member, Bob);
    private static readonly StateSlot TopicSlot = new(EventTypes.Topic, "");

    [Fact]
    public async Task State_before_a_state_event_leaves_it_out_and_state_after_puts_it_in_its_slot()
    {
        var room = await NewStartedRoomAsync();
        room.State("$t1", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$t1"], ["$c", "$j"]);
        room.State("$t2", EventTypes.Topic, "", Alice, ["$m"], ["$c", "$j"]);
        await PersistAsync(After(room["$t1"], "$j"), After(room["$m"], "$t1"), After(room["$t2"], "$m"));

        Assert.Empty((await StateAsync(room, "$c", StatePosition.Before))!);
        Assert.Equal(Map((CreateSlot, "$c")), await StateAsync(room, "$c", StatePosition.After));
        Assert.Equal(Map((CreateSlot, "$c")), await StateAsync(room, "$j", StatePosition.Before));
        Assert.Equal(Map((CreateSlot, "$c"), (AliceSlot, "$j"), (TopicSlot, "$t1")), await StateAsync(room, "$m", StatePosition.Before));
        Assert.Equal(await StateAsync(room, "$m", StatePosition.Before), await StateAsync(room, "$m", StatePosition.After));
        Assert.Equal(Map((CreateSlot, "$c"), (AliceSlot, "$j"), (TopicSlot, "$t1")), await StateAsync(room, "$t2", StatePosition.Before));
        Assert.Equal(Map((CreateSlot, "$c"), (AliceSlot, "$j"), (TopicSlot, "$t2")), await StateAsync(room, "$t2", StatePosition.After));
        Assert.Equal(
            ["$c", "$j", "$t1"],
            (await Store.GetStateIdsAsync(room.RoomId, "$t2", StatePosition.Before))!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rejected_state_event_does_not_change_state_but_a_soft_failed_one_does()
    {
        var room = await NewStartedRoomAsync();
        room.State("$rejected", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.State("$soft", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(
            new EventToPersist(room["$rejected"]) { Status = EventStatus.Rejected, RejectionReason = "auth", StateBefore = StateBefore.SameAsAfter("$j") },
            new EventToPersist(room["$soft"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$j") });

        Assert.Equal(await StateAsync(room, "$rejected", StatePosition.Before), await StateAsync(room, "$rejected", StatePosition.After));
        Assert.Equal("$soft", (await StateAsync(room, "$soft", StatePosition.After))![TopicSlot]);
    }

    [Fact]
    public async Task State_of_an_outlier_an_unknown_event_or_an_event_of_another_room_is_not_available()
    {
        var room = await NewStartedRoomAsync();
        var other = await NewStartedRoomAsync();
        room.State("$o", EventTypes.Topic, "", Alice, ["$j"], ["$c"]);
        await PersistAsync(EventToPersist.Outlier(room["$o"]));

        Assert.Null(await Store.GetStateIdsAsync(room.RoomId, "$o", StatePosition.Before));
        Assert.Null(await Store.GetStateIdsAsync(room.RoomId, "$nothing", StatePosition.Before));
        Assert.Null(await Store.GetStateIdsAsync(room.RoomId, "$o", StatePosition.After));
        Assert.Null(await Store.GetStateIdsAsync("!unknown:test", "$j", StatePosition.Before));
        Assert.NotNull(await Store.GetStateIdsAsync(other.RoomId, "$j", StatePosition.Before));
        other.State("$o2", EventTypes.Topic, "", Alice, ["$j"], ["$c"]);
        await Store.PersistEventsAsync([EventToPersist.Outlier(other["$o2"])]);
        Assert.Null(await Store.GetStateIdsAsync(room.RoomId, "$o2", StatePosition.Before));
    }

    [Fact]
    public async Task A_merge_takes_a_resolved_state_given_as_a_delta_or_as_a_full_map()
    {
        // $c ← $j ← $a (topic A) and $j ← $b (Bob joins); the merges resolve to topic A plus Bob.
        var room = await NewStartedRoomAsync();
        room.State("$a", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.Member("$b", Bob, "join", ["$j"], ["$c"]);
        room.Message("$merge-delta", Alice, ["$a", "$b"], ["$c", "$j"]);
        room.Message("$merge-full", Alice, ["$b", "$a"], ["$c", "$j"]);
        room.Message("$same", Alice, ["$a"], ["$c", "$j"]);
        var resolved = Map((CreateSlot, "$c"), (AliceSlot, "$j"), (TopicSlot, "$a"), (BobSlot, "$b"));
        await PersistAsync(
            After(room["$a"], "$j"),
            After(room["$b"], "$j"),
            new EventToPersist(room["$merge-delta"]) { StateBefore = StateBefore.Delta("$a", new Dictionary<StateSlot, string?> { [BobSlot] = "$b" }) },
            new EventToPersist(room["$merge-full"]) { StateBefore = StateBefore.Full(resolved) },
            new EventToPersist(room["$same"]) { StateBefore = StateBefore.Full(Map((CreateSlot, "$c"), (AliceSlot, "$j"), (TopicSlot, "$a"))) });

        Assert.Equal(resolved, await StateAsync(room, "$merge-delta", StatePosition.Before));
        Assert.Equal(resolved, await StateAsync(room, "$merge-full", StatePosition.Before));
        Assert.Equal(await StateAsync(room, "$a", StatePosition.After), await StateAsync(room, "$same", StatePosition.Before));
        // A full map equal to the state after the first prev reuses its group instead of storing a new one.
        Assert.Equal(
            await GroupOfAsync(room, "$a", "state_after_group"),
            await GroupOfAsync(room, "$same", "state_before_group"));
    }

    [Fact]
    public async Task A_delta_can_empty_a_slot()
    {
        var room = await NewStartedRoomAsync();
        room.State("$t", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$t"], ["$c", "$j"]);
        await PersistAsync(
            After(room["$t"], "$j"),
            new EventToPersist(room["$m"]) { StateBefore = StateBefore.Delta("$t", new Dictionary<StateSlot, string?> { [TopicSlot] = null }) });

        Assert.Equal(Map((CreateSlot, "$c"), (AliceSlot, "$j")), await StateAsync(room, "$m", StatePosition.Before));
    }

    [Fact]
    public async Task State_naming_an_event_the_store_does_not_hold_is_refused()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$m", Alice, ["$j"], ["$c", "$j"]);

        await Assert.ThrowsAsync<InvalidOperationException>(() => PersistAsync(After(room["$m"], "$unknown")));
        await Assert.ThrowsAsync<InvalidOperationException>(() => PersistAsync(
            new EventToPersist(room["$m"]) { StateBefore = StateBefore.Full(Map((CreateSlot, "$c"), (TopicSlot, "$unknown"))) }));
        Assert.Empty(await Store.GetEventsAsync(room.RoomId, ["$m"]));
    }

    [Fact]
    public async Task A_long_line_of_state_changes_keeps_every_state_right_with_a_bounded_chain()
    {
        // 1,100 joins: heights pass 32 and 1,024, so deltas on parents, on Base and on Base² ancestors are all used.
        var room = await NewStartedRoomAsync();
        var previous = "$j";
        var expected = new Dictionary<StateSlot, string> { [CreateSlot] = "$c", [AliceSlot] = "$j" };
        var checkpoints = new Dictionary<string, Dictionary<StateSlot, string>>();
        for (var batchStart = 0; batchStart < 1100; batchStart += 50)
        {
            var batch = new List<EventToPersist>();
            for (var i = batchStart; i < batchStart + 50; i++)
            {
                var id = $"$u{i}";
                var user = $"@u{i}:test";
                batch.Add(After(room.Member(id, user, "join", [previous], ["$c"]), previous));
                expected[new StateSlot(EventTypes.Member, user)] = id;
                previous = id;
                if (i is 30 or 31 or 32 or 1023 or 1024 or 1025 or 1099)
                {
                    checkpoints[id] = new Dictionary<StateSlot, string>(expected);
                }
            }

            await Store.PersistEventsAsync(batch);
        }

        // A fresh store has nothing cached: every state comes from the database.
        var (_, cold) = NewStore();
        foreach (var (id, state) in checkpoints)
        {
            Assert.Equal(state, await cold.GetStateAsync(room.RoomId, id, StatePosition.After));
        }

        var longest = await ScalarAsync<int>(
            $"""
            WITH RECURSIVE chain AS (
                SELECT state_group_nid, prev_state_group_nid, 1 AS length FROM state_groups WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)
              UNION ALL
                SELECT c.state_group_nid, g.prev_state_group_nid, c.length + 1 FROM chain c JOIN state_groups g ON g.state_group_nid = c.prev_state_group_nid
            )
            SELECT max(length) FROM chain
            """,
            room.RoomId);
        Assert.InRange(longest, 3, StateGroupLevels.MaxChainLength);
    }

    private async Task<IReadOnlyDictionary<StateSlot, string>?> StateAsync(Federation.Testing.Dag.TestRoomDag room, string eventId, StatePosition position) =>
        await Store.GetStateAsync(room.RoomId, eventId, position);

    private Task<long> GroupOfAsync(Federation.Testing.Dag.TestRoomDag room, string eventId, string column) =>
        ScalarAsync<long>(
            $"SELECT e.{column} FROM event_ids i JOIN events e USING (event_nid) JOIN rooms r ON r.room_nid = e.room_nid WHERE r.room_id = $1 AND i.event_id = $2",
            room.RoomId,
            eventId);

    private static Dictionary<StateSlot, string> Map(params (StateSlot Slot, string EventId)[] entries) =>
        entries.ToDictionary(entry => entry.Slot, entry => entry.EventId);
}
