using Federation.Ingest.Queue;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Federation.Api.Tests;

/// <summary>
/// Our server over loopback HTTP and remote homeservers on loopback, sharing a room the first remote's
/// <c>@alice</c> created and our <c>@bob:test.example</c> joined, already held by our store as after a join.
/// </summary>
public abstract class SharedRoomTestBase(PostgresDatabaseFixture database, params string[] remoteNames) : IAsyncLifetime
{
    private readonly List<FakeHomeserver> _remotes = [];
    private FederationServerFactory? _server;
    private NpgsqlDataSource? _dataSource;
    private SignedRoomBuilder? _room;

    /// <summary>The first remote, which created the room.</summary>
    protected FakeHomeserver Remote => _remotes[0];

    protected IReadOnlyList<FakeHomeserver> Remotes => _remotes;

    protected FederationServerFactory Server => _server!;

    protected SignedRoomBuilder Room => _room!;

    protected DagStore Store => new(_dataSource!);

    public async Task InitializeAsync()
    {
        foreach (var name in remoteNames.DefaultIfEmpty("remote.test"))
        {
            _remotes.Add(await FakeHomeserver.StartAsync(name));
        }

        _server = new FederationServerFactory(database).OverLoopback();
        foreach (var remote in _remotes)
        {
            _server.Settings[$"FederationClient:Destinations:{remote.ServerName}"] = remote.BaseAddress.ToString();
        }

        _server.Settings["FederationClient:MaxRetries"] = "0";
        _dataSource = StoreDataSource.Create(database.ConnectionString);
        _room = new SignedRoomBuilder(RoomVersion.Get("10"), [.. _remotes.Select(r => r.Identity), _server.Identity])
            .CreatePublicRoom($"@alice:{Remote.ServerName}");
        _room.Join("@bob:test.example");
        await ExtendRoomAsync(_room);
        await LinearHistory.PersistAsync(Store, _room.Events);
    }

    /// <summary>Waits until the events pushed into the room so far have been processed (the inbound queue is empty).</summary>
    protected async Task QueueDrainedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await Server.Services.GetRequiredService<InboundQueueWorker>().DrainedAsync(Room.RoomId, timeout.Token);
    }

    /// <summary>Adds the events a test class needs to the room before it is stored.</summary>
    protected virtual Task ExtendRoomAsync(SignedRoomBuilder room) => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _server?.Dispose();
        foreach (var remote in _remotes)
        {
            await remote.DisposeAsync();
        }

        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
