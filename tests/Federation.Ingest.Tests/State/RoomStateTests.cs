using Federation.Ingest.State;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Federation.Testing.Events;

namespace Federation.Ingest.Tests.State;

/// <summary>The state after an event, as the store records it, computed from the state before it.</summary>
public sealed class RoomStateTests
{
    private readonly SignedRoomBuilder _room = new SignedRoomBuilder(RoomVersion.Get("10"), new ServerIdentity("remote.test", SigningKey.Generate("k")))
        .CreatePublicRoom("@alice:remote.test");

    private RoomState Before => new(_room.State.ToDictionary(e => new StateSlot(e.Key.Type, e.Key.StateKey), e => e.Value.EventId));

    [Fact]
    public void After_an_accepted_state_event_holds_it_in_its_slot()
    {
        var before = Before;
        var join = _room.Join("@bob:remote.test");

        var after = before.After(join, EventStatus.Accepted);

        Assert.Equal(join.EventId, after["m.room.member", "@bob:remote.test"]);
        Assert.Equal(before.Entries.Count + 1, after.Entries.Count);
        Assert.Null(before["m.room.member", "@bob:remote.test"]);
    }

    [Fact]
    public void After_a_soft_failed_state_event_still_holds_it()
    {
        var join = _room.Join("@bob:remote.test");

        Assert.Equal(join.EventId, Before.After(join, EventStatus.SoftFailed)["m.room.member", "@bob:remote.test"]);
    }

    [Fact]
    public void After_a_rejected_state_event_or_a_message_is_the_state_before()
    {
        var before = Before;

        Assert.Same(before, before.After(_room.Join("@bob:remote.test"), EventStatus.Rejected));
        Assert.Same(before, before.After(_room.Message("@alice:remote.test", "hello"), EventStatus.Accepted));
    }
}
