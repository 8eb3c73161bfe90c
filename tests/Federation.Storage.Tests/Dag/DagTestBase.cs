using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;
using Federation.Testing.Time;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

/// <summary>A store over the class's migrated database, a fake clock, and helpers to build small rooms.</summary>
public abstract class DagTestBase(PostgresDatabaseFixture database) : IAsyncLifetime
{
    protected const string Alice = "@alice:test";
    protected const string Bob = "@bob:other";

    private readonly List<NpgsqlDataSource> dataSources = [];

    protected FakeTimeProvider Clock { get; } = new();

    protected PostgresDatabaseFixture Database { get; } = database;

    protected DagStore Store { get; private set; } = null!;

    protected NpgsqlDataSource DataSource { get; private set; } = null!;

    /// <summary>What the stores' connections connect with: the class's database with the store's session options, unless
    /// a subclass sets others.</summary>
    protected virtual string ConnectionString => StoreDataSource.ConnectionString(Database.ConnectionString);

    public Task InitializeAsync()
    {
        (DataSource, Store) = NewStore();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var dataSource in dataSources)
        {
            await dataSource.DisposeAsync();
        }
    }

    /// <summary>A second store with its own connections, as another process would have.</summary>
    protected (NpgsqlDataSource DataSource, DagStore Store) NewStore(DagStoreOptions? options = null)
    {
        var dataSource = NpgsqlDataSource.Create(ConnectionString);
        dataSources.Add(dataSource);
        return (dataSource, new DagStore(dataSource, Clock, options));
    }

    protected static TestRoomDag NewRoom() => new($"!{Guid.NewGuid():N}:test");

    protected static EventToPersist First(Pdu create) => new(create) { StateBefore = StateBefore.Full(new Dictionary<StateSlot, string>()) };

    protected static EventToPersist After(Pdu pdu, string stateFrom) => EventToPersist.Accepted(pdu, stateFrom);

    protected Task<PersistResult> PersistAsync(params EventToPersist[] events) => Store.PersistEventsAsync(events);

    /// <summary>Create event "$c" and Alice's join "$j", persisted; returns the room.</summary>
    protected async Task<TestRoomDag> NewStartedRoomAsync(DagStore? store = null)
    {
        var room = NewRoom();
        room.Create("$c", Alice);
        room.Member("$j", Alice, "join", ["$c"], ["$c"]);
        await (store ?? Store).PersistEventsAsync([First(room["$c"]), After(room["$j"], "$c")]);
        return room;
    }

    /// <summary>Messages <paramref name="prefix"/>1..n in a line after <paramref name="after"/>, built and persisted in one
    /// batch (through <paramref name="store"/>, or <see cref="Store"/>).</summary>
    protected async Task AppendMessagesAsync(TestRoomDag room, string after, string prefix, int count, DagStore? store = null)
    {
        var previous = after;
        var batch = new List<EventToPersist>();
        for (var i = 1; i <= count; i++)
        {
            var id = $"{prefix}{i}";
            batch.Add(After(room.Message(id, Alice, [previous], ["$c", "$j"]), previous));
            previous = id;
        }

        await (store ?? Store).PersistEventsAsync(batch);
    }

    protected async Task<T> ScalarAsync<T>(string sql, params object[] values)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }
}
