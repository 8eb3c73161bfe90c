using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Ingest.Tests;

/// <summary>A public room of version 10 opened by Alice on remote.test, held by a store in the class's database up to
/// its opening events.</summary>
public abstract class StoredRoomTestBase(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    protected SignedRoomBuilder Room { get; } = new(RoomVersion.Get("10"), new ServerIdentity("remote.test", SigningKey.Generate("k")));

    protected DagStore Store { get; private set; } = null!;

    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        DataSource = StoreDataSource.Create(database.ConnectionString);
        Store = new DagStore(DataSource);
        Room.CreatePublicRoom("@alice:remote.test");
        await LinearHistory.PersistAsync(Store, Room.Events);
    }

    public async Task DisposeAsync() => await DataSource.DisposeAsync();
}
