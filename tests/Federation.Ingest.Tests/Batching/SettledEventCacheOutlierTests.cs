using Federation.Ingest.Batching;
using Federation.Ingest.Outliers;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Ingest.Tests.Batching;

/// <summary>Outliers read by a run are kept apart from the events held with state, until the store makes them timeline
/// events.</summary>
public sealed class SettledEventCacheOutlierTests(PostgresDatabaseFixture database) : StoredRoomTestBase(database)
{
    [Fact]
    public async Task An_outlier_read_through_a_run_is_cached_as_an_outlier_and_forgotten_once_it_becomes_a_timeline_event()
    {
        var last = Room.Events[^1];
        var carol = Room.Join("@carol:remote.test");
        await new OutlierPersister(Store).PersistAsync([new VerifiedEvent(carol, null)], CancellationToken.None);
        var cache = new SettledEventCache(Store);

        var read = await new BatchEventSource(Store, cache, new Dictionary<string, Pdu>()).GetEventsAsync([carol.EventId]);

        Assert.Equal(carol.EventId, read[0].Event!.EventId);
        Assert.True(cache.TryGetOutlier(carol.EventId, out _));
        Assert.False(cache.TryGetEvent(carol.EventId, out _));

        await Store.PersistEventsAsync([EventToPersist.Accepted(carol, last.EventId)]);

        Assert.False(cache.TryGetOutlier(carol.EventId, out _));
    }
}
