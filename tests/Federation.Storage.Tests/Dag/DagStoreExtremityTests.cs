using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreExtremityTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task On_a_line_the_latest_accepted_event_is_the_only_extremity()
    {
        var room = await NewStartedRoomAsync();
        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));

        await AppendMessagesAsync(room, "$j", "$e", 3);

        Assert.Equal(["$e3"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    [Fact]
    public async Task A_fork_has_two_extremities_until_an_event_merges_them()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$a", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$b", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$a", "$b"], ["$c", "$j"]);
        await PersistAsync(After(room["$a"], "$j"));
        await PersistAsync(After(room["$b"], "$j"));

        Assert.Equal(["$a", "$b"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));

        await PersistAsync(After(room["$m"], "$a"));

        Assert.Equal(["$m"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    [Fact]
    public async Task Rejected_and_soft_failed_events_never_become_extremities_and_leave_their_prevs_in_place()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$rejected", Alice, ["$j"], ["$c", "$j"]);
        room.State("$soft", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(
            new EventToPersist(room["$rejected"]) { Status = EventStatus.Rejected, RejectionReason = "auth", StateBefore = StateBefore.SameAsAfter("$j") },
            new EventToPersist(room["$soft"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$j") });

        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    [Fact]
    public async Task An_accepted_child_of_a_soft_failed_event_also_replaces_the_extremity_behind_it()
    {
        // $j ← $soft ← $child: $j stays an extremity while only $soft builds on it, and goes once $child does.
        var room = await NewStartedRoomAsync();
        room.Message("$soft1", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$soft2", Alice, ["$soft1"], ["$c", "$j"]);
        room.Message("$child", Alice, ["$soft2"], ["$c", "$j"]);
        await PersistAsync(
            new EventToPersist(room["$soft1"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$j") },
            new EventToPersist(room["$soft2"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$soft1") });
        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));

        await PersistAsync(After(room["$child"], "$soft2"));

        Assert.Equal(["$child"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    [Fact]
    public async Task Outliers_never_touch_extremities()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$o", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$o-elsewhere", Alice, ["$gone"], ["$c"]);
        await PersistAsync(EventToPersist.Outlier(room["$o"]), EventToPersist.Outlier(room["$o-elsewhere"]));

        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Empty(await Store.GetHolesAsync(room.RoomId));
    }

    [Fact]
    public async Task Backfilled_events_never_touch_extremities_but_record_their_holes()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$old", Alice, ["$older"], ["$c", "$j"]);
        room.Message("$on-top", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(
            new EventToPersist(room["$old"]) { IsBackfilled = true, StateBefore = StateBefore.SameAsAfter("$j") },
            new EventToPersist(room["$on-top"]) { IsBackfilled = true, StateBefore = StateBefore.SameAsAfter("$j") });

        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Equal(["$older"], (await Store.GetHolesAsync(room.RoomId)).Select(h => h.EventId));
    }

    [Fact]
    public async Task An_event_filling_a_hole_below_a_known_child_does_not_become_an_extremity()
    {
        // $e2 arrives first with its prev $e1 missing; then $e1 (prev $j) arrives.
        var room = await NewStartedRoomAsync();
        room.Message("$e1", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$e2", Alice, ["$e1"], ["$c", "$j"]);
        await PersistAsync(After(room["$e2"], "$j"));
        Assert.Equal(["$e2", "$j"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));
        Assert.Equal(["$e1"], (await Store.GetHolesAsync(room.RoomId)).Select(h => h.EventId));

        await PersistAsync(After(room["$e1"], "$j"));

        Assert.Equal(["$e2"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Empty(await Store.GetHolesAsync(room.RoomId));
    }

    [Fact]
    public async Task An_event_filling_a_hole_below_a_soft_failed_child_becomes_an_extremity()
    {
        // Only accepted timeline children take an event's place as an extremity, also for children held before it.
        var room = await NewStartedRoomAsync();
        room.Message("$e1", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$soft", Alice, ["$e1"], ["$c", "$j"]);
        await PersistAsync(new EventToPersist(room["$soft"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$j") });
        Assert.Equal(["$e1"], (await Store.GetHolesAsync(room.RoomId)).Select(h => h.EventId));

        await PersistAsync(After(room["$e1"], "$j"));

        Assert.Equal(["$e1"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Empty(await Store.GetHolesAsync(room.RoomId));
    }

    [Fact]
    public async Task An_outlier_persisted_again_below_a_held_timeline_child_does_not_become_an_extremity()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$o", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$child", Alice, ["$o"], ["$c", "$j"]);
        room.Message("$lone", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(EventToPersist.Outlier(room["$o"]), EventToPersist.Outlier(room["$lone"]));
        await PersistAsync(After(room["$child"], "$j"));
        Assert.Equal(["$child", "$j"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));

        await PersistAsync(After(room["$o"], "$j"), After(room["$lone"], "$j"));

        Assert.Equal(["$child", "$lone"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Pruning_drops_the_named_extremities_only_while_the_extremities_are_still_those_seen()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$a", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$b", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$later", Alice, ["$b"], ["$c", "$j"]);
        await PersistAsync(After(room["$a"], "$j"));
        await PersistAsync(After(room["$b"], "$j"));

        Assert.Throws<ArgumentException>(() => Store.PruneForwardExtremitiesAsync(room.RoomId, ["$a", "$b"], ["$a", "$b"]).GetAwaiter().GetResult());
        var seen = await Store.GetForwardExtremitiesAsync(room.RoomId);
        await PersistAsync(After(room["$later"], "$b"));

        Assert.False(await Store.PruneForwardExtremitiesAsync(room.RoomId, seen, ["$a"]));
        Assert.Equal(["$a", "$later"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));

        Assert.True(await Store.PruneForwardExtremitiesAsync(room.RoomId, ["$a", "$later"], ["$a"]));
        Assert.Equal(["$later"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    [Fact]
    public async Task A_conditional_write_goes_through_while_the_extremities_are_those_expected()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$m", Alice, ["$j"], ["$c", "$j"]);

        var result = await Store.PersistEventsIfExtremitiesAsync([After(room["$m"], "$j")], ["$j"]);

        Assert.Equal(["$m"], result!.Persisted);
        Assert.Equal(["$m"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }

    [Fact]
    public async Task A_conditional_write_after_someone_else_wrote_to_the_room_writes_nothing()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$other", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$mine", Alice, ["$j", "$gone"], ["$c", "$j"]);
        await PersistAsync(After(room["$other"], "$j"));
        var ids = await ScalarAsync<long>("SELECT count(*) FROM event_ids");

        var result = await Store.PersistEventsIfExtremitiesAsync([After(room["$mine"], "$j")], ["$j"]);

        Assert.Null(result);
        Assert.Empty(await Store.GetEventsAsync(room.RoomId, ["$mine"]));
        Assert.Equal(["$other"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        // Ids the write had numbered before it saw the change (its event, a prev it has not seen) are gone with it.
        Assert.Equal(ids, await ScalarAsync<long>("SELECT count(*) FROM event_ids"));
    }

    [Fact]
    public async Task A_conditional_writer_is_given_the_extremities_its_last_write_left_which_are_those_stored()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$a", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$b", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$a"], ["$c", "$j"]);
        await PersistAsync(After(room["$a"], "$j"), After(room["$b"], "$j"));
        var seen = await Store.GetForwardExtremitiesForWriteAsync(room.RoomId);

        Assert.NotNull(await Store.PersistEventsIfExtremitiesAsync([After(room["$m"], "$a")], seen));

        Assert.Equal(["$b", "$m"], (await Store.GetForwardExtremitiesForWriteAsync(room.RoomId)).Order(StringComparer.Ordinal));
        Assert.Equal(["$b", "$m"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Extremities_remembered_before_another_process_wrote_fail_the_conditional_write_and_are_then_read_again()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$m", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$theirs", Alice, ["$m"], ["$c", "$j"]);
        room.Message("$mine", Alice, ["$m"], ["$c", "$j"]);
        Assert.NotNull(await Store.PersistEventsIfExtremitiesAsync([After(room["$m"], "$j")], await Store.GetForwardExtremitiesForWriteAsync(room.RoomId)));
        var (_, other) = NewStore();
        await other.PersistEventsAsync([After(room["$theirs"], "$m")]);

        var remembered = await Store.GetForwardExtremitiesForWriteAsync(room.RoomId);

        Assert.Equal(["$m"], remembered);
        Assert.Null(await Store.PersistEventsIfExtremitiesAsync([After(room["$mine"], "$m")], remembered));
        Assert.Equal(["$theirs"], await Store.GetForwardExtremitiesForWriteAsync(room.RoomId));
    }

    [Fact]
    public async Task A_write_whose_extremities_the_database_decides_makes_the_next_conditional_writer_read_them()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$m", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$n", Alice, ["$m"], ["$c", "$j"]);
        Assert.NotNull(await Store.PersistEventsIfExtremitiesAsync([After(room["$m"], "$j")], await Store.GetForwardExtremitiesForWriteAsync(room.RoomId)));

        await PersistAsync(After(room["$n"], "$m"));

        Assert.Equal(["$n"], await Store.GetForwardExtremitiesForWriteAsync(room.RoomId));
    }

    [Fact]
    public async Task A_conditional_write_of_an_event_the_room_holds_or_names_already_writes_nothing()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$outlier", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$named", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$child", Alice, ["$j", "$named"], ["$c", "$j"]);
        await PersistAsync(EventToPersist.Outlier(room["$outlier"]));
        await PersistAsync(new EventToPersist(room["$child"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$j") });

        Assert.Null(await Store.PersistEventsIfExtremitiesAsync([After(room["$outlier"], "$j")], ["$j"]));
        Assert.Null(await Store.PersistEventsIfExtremitiesAsync([After(room["$named"], "$j")], ["$j"]));

        Assert.True((await Store.GetKnownEventsAsync(room.RoomId, ["$outlier"]))["$outlier"].IsOutlier);
        Assert.False((await Store.GetKnownEventsAsync(room.RoomId, ["$named"]))["$named"].IsHeld);
        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));
    }
}
