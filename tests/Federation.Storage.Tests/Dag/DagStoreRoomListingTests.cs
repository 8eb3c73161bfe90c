using Federation.Storage.Dag.Admin;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreRoomListingTests(PostgresDatabaseFixture database)
    : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Rooms_are_listed_by_id_with_their_version_and_listings_for_operators_count_their_events()
    {
        var small = await NewStartedRoomAsync();
        var larger = await NewStartedRoomAsync();
        await AppendMessagesAsync(larger, "$j", "$m", 3);
        var ours = new[] { small.RoomId, larger.RoomId }.Order(StringComparer.Ordinal).ToArray();

        var rooms = (await Store.GetRoomsAsync()).Where(r => ours.Contains(r.RoomId)).ToArray();
        var listings = (await Store.GetRoomListingsAsync()).Where(r => ours.Contains(r.RoomId)).ToArray();

        Assert.Equal([new StoredRoom(ours[0], "10"), new StoredRoom(ours[1], "10")], rooms);
        Assert.Equal(ours, listings.Select(l => l.RoomId));
        Assert.Equal(2, listings.Single(l => l.RoomId == small.RoomId).EventCount);
        Assert.Equal(5, listings.Single(l => l.RoomId == larger.RoomId).EventCount);
    }
}
