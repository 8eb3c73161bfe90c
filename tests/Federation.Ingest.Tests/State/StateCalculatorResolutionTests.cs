using System.Text.Json.Nodes;
using Federation.Ingest.Batching;
using Federation.Ingest.Outliers;
using Federation.Ingest.Remote;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.StateResolution.Events;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Federation.Testing.Postgres;

namespace Federation.Ingest.Tests.State;

/// <summary>A resolution of the same state objects is made once while the cache holds it.</summary>
public sealed class StateCalculatorResolutionTests(PostgresDatabaseFixture database) : StoredRoomTestBase(database)
{
    private RoomState _left = null!;
    private RoomState _right = null!;
    private CountingEventSource _events = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();

        // Two sides of a fork that set the topic differently: a real conflict to resolve.
        var forkPoint = Room.Last.EventId;
        var common = StateOf(Room);
        var left = Room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "left" }, [forkPoint]);
        var right = Room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "right" }, [forkPoint]);
        _left = common.After(left, EventStatus.Accepted);
        _right = common.After(right, EventStatus.Accepted);
        var source = new InMemoryEventSource();
        source.AddRange(Room.Events);
        _events = new CountingEventSource(source);
    }

    [Fact]
    public async Task The_same_states_resolved_again_read_no_event_and_give_the_same_state()
    {
        var calculator = new StateCalculator(Store, new SettledEventCache(Store));
        var first = await calculator.ResolveWithAsync(Room.Version, [_left, _right], _events, CancellationToken.None);
        var reads = _events.Calls;

        var again = await calculator.ResolveWithAsync(Room.Version, [_right, _left], _events, CancellationToken.None);

        Assert.True(reads > 0);
        Assert.Equal(reads, _events.Calls);
        Assert.Same(first, again);
        // The winner is one of the inputs, and the input itself is returned rather than a copy.
        Assert.True(ReferenceEquals(first, _left) || ReferenceEquals(first, _right));
    }

    [Fact]
    public async Task Without_a_cache_every_resolution_reads_the_events_again()
    {
        var calculator = new StateCalculator(Store);
        var first = await calculator.ResolveWithAsync(Room.Version, [_left, _right], _events, CancellationToken.None);
        var reads = _events.Calls;

        var again = await calculator.ResolveWithAsync(Room.Version, [_left, _right], _events, CancellationToken.None);

        Assert.True(_events.Calls > reads);
        Assert.True(again.SameEntriesAs(first));
    }

    [Fact]
    public async Task Resolutions_are_forgotten_once_theStore_de_outliers_events()
    {
        // A resolution may have read an outlier with the status it had before it became a timeline event.
        var calculator = new StateCalculator(Store, new SettledEventCache(Store));
        await calculator.ResolveWithAsync(Room.Version, [_left, _right], _events, CancellationToken.None);
        var reads = _events.Calls;
        var stored = await Store.GetForwardExtremitiesAsync(Room.RoomId);
        var carol = Room.Add("@carol:remote.test", EventTypes.Member, "@carol:remote.test", new JsonObject { ["membership"] = "join" }, [stored[0]]);
        await new OutlierPersister(Store).PersistAsync([new VerifiedEvent(carol, null)], CancellationToken.None);
        await Store.PersistEventsAsync([EventToPersist.Accepted(carol, stored[0])]);

        await calculator.ResolveWithAsync(Room.Version, [_left, _right], _events, CancellationToken.None);

        Assert.True(_events.Calls > reads);
    }

    private static RoomState StateOf(SignedRoomBuilder room) =>
        new(room.State.ToDictionary(e => new StateSlot(e.Key.Type, e.Key.StateKey), e => e.Value.EventId));

    /// <summary>An event source that counts how often it is asked.</summary>
    private sealed class CountingEventSource(IEventSource inner) : IEventSource
    {
        public int Calls { get; private set; }

        public ValueTask<IReadOnlyList<EventLookup>> GetEventsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
        {
            Calls++;
            return inner.GetEventsAsync(eventIds, cancellationToken);
        }
    }
}
