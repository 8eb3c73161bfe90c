using Federation.Ingest.Batching;
using Federation.Ingest.State;
using Federation.Storage.Dag;

namespace Federation.Ingest.Tests.Batching;

public sealed class SettledEventCacheTests
{
    private static readonly RoomState Topic = new(new Dictionary<StateSlot, string> { [new StateSlot("m.room.topic", "")] = "$topic" });

    [Fact]
    public void A_state_after_is_found_for_its_room_only()
    {
        // Where the origin chooses event ids (room versions 1 and 2), another room may hold an event of the same id.
        var cache = new SettledEventCache();
        cache.AddStateAfter("!a:remote.test", "$same", Topic);

        Assert.True(cache.TryGetStateAfter("!a:remote.test", "$same", out var found));
        Assert.Same(Topic, found);
        Assert.False(cache.TryGetStateAfter("!b:remote.test", "$same", out _));
    }
}
