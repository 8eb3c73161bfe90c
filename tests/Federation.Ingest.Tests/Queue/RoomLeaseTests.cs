using Federation.Ingest.Queue;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Ingest.Tests.Queue;

/// <summary>
/// The store's connections go back to the pool without a session reset, so a room's queue lock must be released by
/// the lease itself: the same physical connection (a pool of one here) is handed out again still holding the lock
/// otherwise, and no other process could take the room.
/// </summary>
public sealed class RoomLeaseTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private static readonly RoomVersion Version = RoomVersion.Get("10");

    private NpgsqlDataSource _process = null!;
    private NpgsqlDataSource _otherProcess = null!;

    public Task InitializeAsync()
    {
        _process = Open();
        _otherProcess = Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _process.DisposeAsync();
        await _otherProcess.DisposeAsync();
    }

    [Fact]
    public async Task A_room_is_held_by_one_process_until_its_lease_is_disposed()
    {
        var ours = new InboundPduStore(_process, TimeProvider.System);
        var theirs = new InboundPduStore(_otherProcess, TimeProvider.System);
        var roomId = $"!{Guid.NewGuid():N}:test";

        var lease = await ours.TryTakeRoomAsync(roomId, Version, CancellationToken.None);
        Assert.NotNull(lease);
        Assert.Null(await theirs.TryTakeRoomAsync(roomId, Version, CancellationToken.None));

        await lease.DisposeAsync();
        await using (var pooled = await _process.OpenConnectionAsync())
        {
            // The lease's connection, back in the pool of one, holds no lock.
            await using var locks = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()", pooled);
            Assert.Equal(0L, await locks.ExecuteScalarAsync());
        }

        await using var taken = await theirs.TryTakeRoomAsync(roomId, Version, CancellationToken.None);
        Assert.NotNull(taken);
    }

    private NpgsqlDataSource Open() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(StoreDataSource.ConnectionString(database.ConnectionString)) { MaxPoolSize = 1 }.ConnectionString);
}
