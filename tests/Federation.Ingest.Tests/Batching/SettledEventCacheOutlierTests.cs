using Federation.Ingest.Batching;
using Federation.Ingest.Outliers;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Ingest.Tests.Batching;

/// <summary>Outliers read by a run are kept apart from the events held with state, until the store makes them timeline
/// events.</summary>
public sealed class SettledEventCacheOutlierTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private readonly SignedRoomBuilder _room = new(RoomVersion.Get("10"), new ServerIdentity("remote.test", SigningKey.Generate("k")));
    private NpgsqlDataSource _dataSource = null!;
    private DagStore _store = null!;

    public async Task InitializeAsync()
    {
        _dataSource = StoreDataSource.Create(database.ConnectionString);
        _store = new DagStore(_dataSource);
        _room.CreatePublicRoom("@alice:remote.test");
        await LinearHistory.PersistAsync(_store, _room.Events);
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    [Fact]
    public async Task An_outlier_read_through_a_run_is_cached_as_an_outlier_and_forgotten_once_it_becomes_a_timeline_event()
    {
        var last = _room.Events[^1];
        var carol = _room.Join("@carol:remote.test");
        await new OutlierPersister(_store).PersistAsync([new VerifiedEvent(carol, null)], CancellationToken.None);
        var cache = new SettledEventCache(_store);

        var read = await new BatchEventSource(_store, cache, new Dictionary<string, Pdu>()).GetEventsAsync([carol.EventId]);

        Assert.Equal(carol.EventId, read[0].Event!.EventId);
        Assert.True(cache.TryGetOutlier(carol.EventId, out _));
        Assert.False(cache.TryGetEvent(carol.EventId, out _));

        await _store.PersistEventsAsync([EventToPersist.Accepted(carol, last.EventId)]);

        Assert.False(cache.TryGetOutlier(carol.EventId, out _));
    }
}
