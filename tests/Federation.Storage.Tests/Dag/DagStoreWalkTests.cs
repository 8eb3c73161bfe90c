using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public class DagStoreWalkTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Get_missing_events_on_a_line_walks_back_from_latest_to_earliest_and_returns_oldest_first()
    {
        var room = await NewStartedRoomAsync();
        await AppendMessagesAsync(room, "$j", "$e", 10);

        Assert.Equal(["$e5", "$e6", "$e7", "$e8", "$e9"], await MissingAsync(room, ["$e2"], ["$e10"], 5));
        Assert.Equal(["$e3", "$e4", "$e5", "$e6", "$e7", "$e8", "$e9"], await MissingAsync(room, ["$e2"], ["$e10"], 20));
        Assert.Equal(["$e4", "$e5"], await MissingAsync(room, ["$e3"], ["$e6"], 10));
        Assert.Empty(await MissingAsync(room, ["$e9"], ["$e10"], 10));
    }

    [Fact]
    public async Task Get_missing_events_caps_the_limit_at_twenty_and_returns_nothing_for_a_zero_limit()
    {
        var room = await NewStartedRoomAsync();
        await AppendMessagesAsync(room, "$j", "$e", 30);

        Assert.Equal(20, (await MissingAsync(room, [], ["$e30"], 50)).Count);
        Assert.Empty(await MissingAsync(room, [], ["$e30"], 0));
    }

    [Fact]
    public async Task Get_missing_events_on_a_fork_returns_both_branches_by_depth()
    {
        var room = await ForkedRoomAsync();

        Assert.Equal(["$a1", "$b1", "$a2", "$b2"], await MissingAsync(room, ["$j"], ["$m"], 10));
        Assert.Equal(["$a2", "$b2"], await MissingAsync(room, ["$j"], ["$m"], 2));
        // Earliest events only stop the branch they are on: the other branch is walked down to the create event.
        Assert.Equal(["$c", "$j", "$b1", "$a2", "$b2"], await MissingAsync(room, ["$a1"], ["$m"], 10));
    }

    [Fact]
    public async Task Get_missing_events_stops_at_a_hole()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$h3", Alice, ["$gone"], ["$c", "$j"]);
        room.Message("$h4", Alice, ["$h3"], ["$c", "$j"]);
        room.Message("$h5", Alice, ["$h4"], ["$c", "$j"]);
        await PersistAsync(After(room["$h3"], "$j"), After(room["$h4"], "$h3"), After(room["$h5"], "$h4"));

        Assert.Equal(["$h3", "$h4"], await MissingAsync(room, ["$c"], ["$h5"], 10));
    }

    [Fact]
    public async Task Get_missing_events_ignores_ids_of_other_rooms_and_unknown_ids()
    {
        var room = await NewStartedRoomAsync();
        await AppendMessagesAsync(room, "$j", "$e", 3);
        var other = await NewStartedRoomAsync();
        await AppendMessagesAsync(other, "$j", "$x", 3);

        Assert.Empty(await MissingAsync(room, [], ["$x3"], 10));
        Assert.Empty(await MissingAsync(room, [], ["$unknown"], 10));
        Assert.Equal(["$c", "$j", "$e1", "$e2"], await MissingAsync(room, ["$x1"], ["$e3", "$x3"], 10));
        Assert.Empty(await Store.GetMissingEventsAsync("!nowhere:test", [], ["$e3"], 10));
    }

    [Fact]
    public async Task Get_missing_events_walks_through_rejected_events_without_returning_them_and_never_enters_outliers()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$r", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$after-r", Alice, ["$r"], ["$c", "$j"]);
        room.Message("$o", Alice, ["$j"], ["$c"]);
        room.Message("$after-o", Alice, ["$o"], ["$c", "$j"]);
        await PersistAsync(
            new EventToPersist(room["$r"]) { Status = EventStatus.Rejected, RejectionReason = "auth", StateBefore = StateBefore.SameAsAfter("$j") },
            After(room["$after-r"], "$j"),
            EventToPersist.Outlier(room["$o"]),
            After(room["$after-o"], "$j"));

        Assert.Equal(["$c", "$j"], await MissingAsync(room, [], ["$after-r"], 10));
        Assert.Empty(await MissingAsync(room, [], ["$after-o"], 10));
    }

    [Fact]
    public async Task Backfill_on_a_line_returns_the_seed_and_its_ancestors_deepest_first()
    {
        var room = await NewStartedRoomAsync();
        await AppendMessagesAsync(room, "$j", "$e", 10);

        Assert.Equal(["$e10", "$e9", "$e8"], await BackfillAsync(room, ["$e10"], 3));
        Assert.Equal(["$e3", "$e2", "$e1", "$j", "$c"], await BackfillAsync(room, ["$e3"], 100));
        Assert.Equal(["$e8", "$e7", "$e6", "$e5"], await BackfillAsync(room, ["$e8", "$e5"], 4));
    }

    [Fact]
    public async Task Backfill_on_a_fork_takes_the_deepest_pending_event_next()
    {
        var room = await ForkedRoomAsync();

        // $a2 and $b2 share a depth, as do $a1 and $b1; the later persisted ($b…) comes first.
        Assert.Equal(["$m", "$b2", "$a2", "$b1"], await BackfillAsync(room, ["$m"], 4));
        Assert.Equal(["$m", "$b2", "$a2", "$b1", "$a1", "$j", "$c"], await BackfillAsync(room, ["$m"], 100));
    }

    [Fact]
    public async Task Backfill_stops_at_holes_never_enters_outliers_and_ignores_seeds_of_other_rooms()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$o", Alice, ["$j"], ["$c"]);
        room.Message("$on-outlier", Alice, ["$o"], ["$c", "$j"]);
        room.Message("$on-hole", Alice, ["$gone"], ["$c", "$j"]);
        await PersistAsync(EventToPersist.Outlier(room["$o"]), After(room["$on-outlier"], "$j"), After(room["$on-hole"], "$j"));
        var other = await NewStartedRoomAsync();
        await AppendMessagesAsync(other, "$j", "$x", 2);

        Assert.Equal(["$on-outlier"], await BackfillAsync(room, ["$on-outlier"], 10));
        Assert.Equal(["$on-hole"], await BackfillAsync(room, ["$on-hole"], 10));
        Assert.Empty(await BackfillAsync(room, ["$x2"], 10));
        Assert.Empty(await BackfillAsync(room, ["$x2"], 0));
    }

    // $c ← $j ← $a1 ← $a2 ← $m and $j ← $b1 ← $b2 ← $m, persisted in that order.
    private async Task<TestRoomDag> ForkedRoomAsync()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$a1", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$a2", Alice, ["$a1"], ["$c", "$j"]);
        room.Message("$b1", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$b2", Alice, ["$b1"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$a2", "$b2"], ["$c", "$j"]);
        await PersistAsync(
            After(room["$a1"], "$j"), After(room["$a2"], "$a1"), After(room["$b1"], "$j"), After(room["$b2"], "$b1"), After(room["$m"], "$a2"));
        return room;
    }

    private async Task<List<string>> MissingAsync(TestRoomDag room, string[] earliest, string[] latest, int limit) =>
        [.. (await Store.GetMissingEventsAsync(room.RoomId, earliest, latest, limit)).Select(e => e.EventId)];

    private async Task<List<string>> BackfillAsync(TestRoomDag room, string[] from, int limit) =>
        [.. (await Store.GetBackfillAsync(room.RoomId, from, limit)).Select(e => e.EventId)];
}
