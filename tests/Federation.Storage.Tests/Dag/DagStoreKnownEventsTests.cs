using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreKnownEventsTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Known_events_are_the_same_from_the_writers_memory_and_from_a_process_that_only_reads()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$soft", Alice, ["$j", "$missing"], ["$c", "$j"]);
        room.Message("$outlier", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(
            new EventToPersist(room["$soft"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$j") },
            EventToPersist.Outlier(room["$outlier"]));
        string[] asked = ["$j", "$soft", "$outlier", "$missing", "$never"];
        var (_, reader) = NewStore();

        foreach (var store in new[] { Store, reader })
        {
            var known = await store.GetKnownEventsAsync(room.RoomId, asked);

            Assert.Equal(["$j", "$missing", "$outlier", "$soft"], known.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(new KnownEvent("$j", IsHeld: true, IsOutlier: false, EventStatus.Accepted), known["$j"]);
            Assert.Equal(new KnownEvent("$soft", IsHeld: true, IsOutlier: false, EventStatus.SoftFailed), known["$soft"]);
            Assert.Equal(new KnownEvent("$outlier", IsHeld: true, IsOutlier: true, EventStatus.Accepted), known["$outlier"]);
            Assert.False(known["$missing"].IsHeld);
        }
    }

    [Fact]
    public async Task An_outlier_another_process_stores_with_state_is_known_as_stored_with_state()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$o", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(EventToPersist.Outlier(room["$o"]));
        Assert.True((await Store.GetKnownEventsAsync(room.RoomId, ["$o"]))["$o"].IsOutlier);
        var (_, other) = NewStore();

        await other.PersistEventsAsync([After(room["$o"], "$j")]);

        Assert.Equal(new KnownEvent("$o", IsHeld: true, IsOutlier: false, EventStatus.Accepted), (await Store.GetKnownEventsAsync(room.RoomId, ["$o"]))["$o"]);
    }

    [Fact]
    public async Task Events_of_one_room_are_not_known_in_another()
    {
        var room = await NewStartedRoomAsync();
        var elsewhere = await NewStartedRoomAsync();

        Assert.Empty(await Store.GetKnownEventsAsync(elsewhere.RoomId, ["$nothing-here"]));
        Assert.True((await Store.GetKnownEventsAsync(room.RoomId, ["$j"]))["$j"].IsHeld);
        Assert.Empty(await Store.GetKnownEventsAsync(NewRoom().RoomId, ["$j"]));
    }
}
