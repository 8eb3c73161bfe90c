using System.Net;
using System.Text.Json.Nodes;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Api.Tests.Processes;

/// <summary>
/// Rooms our server (<c>procs.test</c>, run as real processes on one database) shares with two remote homeservers on
/// loopback, which push the rooms' new events to it in signed transactions. Each room is linear: the remote that
/// created it sends <see cref="MessagesPerRoom"/> messages, of which every <see cref="WithheldEvery"/>th is not pushed
/// (so the event after it has a gap our server fills with <c>/get_missing_events</c>).
/// </summary>
public abstract class ServerProcessTestBase(PostgresDatabaseFixture database) : IAsyncLifetime
{
    protected const string ServerName = "procs.test";
    protected const int MessagesPerRoom = 16;
    protected const int EventsPerTransaction = 3;
    protected const int WithheldEvery = 5;

    // Cross-process work has no completion signal to wait on: the database is polled, with this deadline.
    private static readonly TimeSpan DrainDeadline = TimeSpan.FromSeconds(45);

    private readonly List<FakeHomeserver> _remotes = [];
    private readonly List<ServerProcess> _processes = [];
    private readonly ServerIdentity _identity = new(ServerName, SigningKey.Generate("proc"));
    private TemporaryDirectory _directory = null!;
    private NpgsqlDataSource _dataSource = null!;

    protected IReadOnlyList<FakeHomeserver> Remotes => _remotes;

    protected List<SignedRoomBuilder> Rooms { get; } = [];

    protected DagStore Store => new(_dataSource);

    public async Task InitializeAsync()
    {
        _directory = new TemporaryDirectory("server-processes");
        _directory.WriteFile("signing.key", _identity.SigningKey.ToKeyFileLine());
        _dataSource = StoreDataSource.Create(database.ConnectionString);
        foreach (var name in new[] { "r1.test", "r2.test" })
        {
            _remotes.Add(await FakeHomeserver.StartAsync(name));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        foreach (var remote in _remotes)
        {
            await remote.DisposeAsync();
        }

        await _dataSource.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>Starts one more server process on the shared database, key file and name, on its own port.</summary>
    protected async Task<ServerProcess> StartServerAsync()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Server:ServerName"] = ServerName,
            ["Server:SigningKeyPath"] = Path.Combine(_directory.Path, "signing.key"),
            ["Database:ConnectionString"] = database.ConnectionString,
            ["FederationClient:MaxRetries"] = "0",
            ["Ingest:QueuePollInterval"] = "00:00:00.200",
        };
        foreach (var remote in _remotes)
        {
            settings[$"FederationClient:Destinations:{remote.ServerName}"] = remote.BaseAddress.ToString();
        }

        var process = await ServerProcess.StartAsync(_directory.Path, FreeLoopbackPort.Pick(), settings);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// Creates <paramref name="count"/> rooms, alternately by each remote, that our <c>@bob</c> has joined (stored as after
    /// the join), builds their messages and has their creators serve their history.
    /// </summary>
    protected async Task CreateRoomsAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var creator = _remotes[i % _remotes.Count];
            var room = new SignedRoomBuilder(RoomVersion.Get("10"), [.. _remotes.Select(r => r.Identity), _identity])
                .CreatePublicRoom($"@alice:{creator.ServerName}");
            room.Join($"@bob:{ServerName}");
            await LinearHistory.PersistAsync(Store, room.Events);
            for (var m = 1; m <= MessagesPerRoom; m++)
            {
                room.Message($"@alice:{creator.ServerName}", $"message {m}");
            }

            Rooms.Add(room);
        }

        ServeHistory();
    }

    /// <summary>Has each room's creator answer the reads of its history truthfully (again).</summary>
    protected void ServeHistory()
    {
        foreach (var room in Rooms)
        {
            RoomHistoryServer.Serve(CreatorOf(room), room.Version, room.RoomId, room.Events);
        }
    }

    /// <summary>
    /// Makes the rooms' creators hold every <c>/get_missing_events</c> request open until <paramref name="release"/>,
    /// completing <paramref name="asked"/> at the first.
    /// </summary>
    protected void HoldGapFills(TaskCompletionSource asked, Task release)
    {
        ArgumentNullException.ThrowIfNull(asked);
        foreach (var room in Rooms)
        {
            CreatorOf(room).Handle("POST", "/_matrix/federation/v1/get_missing_events/" + room.RoomId, async _ =>
            {
                asked.TrySetResult();
                await release;
                return Microsoft.AspNetCore.Http.Results.StatusCode(503);
            });
        }
    }

    /// <summary>The remote that created <paramref name="room"/>, which pushes its events.</summary>
    protected FakeHomeserver CreatorOf(SignedRoomBuilder room) => _remotes.Single(r => room.Events[0].Sender.EndsWith(":" + r.ServerName, StringComparison.Ordinal));

    /// <summary>The room's transactions in order: (transaction id, body); withheld events are in none.</summary>
    protected static IReadOnlyList<(string TxnId, string Body)> TransactionsOf(SignedRoomBuilder room, string prefix)
    {
        // The last event is always pushed (MessagesPerRoom is not a multiple of WithheldEvery): nothing would fetch it.
        var pushed = room.Events.TakeLast(MessagesPerRoom).Where((_, i) => (i + 1) % WithheldEvery != 0);
        return [.. pushed.Chunk(EventsPerTransaction).Select((chunk, i) => (
            $"{prefix}-{room.RoomId[1..9]}-{i}",
            new JsonObject
            {
                ["origin"] = room.Events[0].Sender.Split(':')[1],
                ["pdus"] = new JsonArray([.. chunk.Select(p => JsonNode.Parse(p.Json.GetRawText()))]),
            }.ToJsonString()))];
    }

    /// <summary>Sends one transaction; true when the server answered 200.</summary>
    protected static async Task<bool> TrySendAsync(FakeHomeserver origin, ServerProcess server, string txnId, string body)
    {
        try
        {
            using var response = await origin.SendSignedAsync(
                server.BaseAddress, ServerName, HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>Received events waiting in the inbound queue, all processes together.</summary>
    protected Task<long> QueuedAsync() => CountAsync("SELECT count(*) FROM inbound_pdus");

    /// <summary><c>/get_missing_events</c> requests the remotes have received so far.</summary>
    protected int MissingEventsRequests() =>
        _remotes.Sum(r => r.Requests.Count(q => q.PathAndQuery.Contains("/get_missing_events/", StringComparison.Ordinal)));

    /// <summary>Waits until no received event waits in the inbound queue of any process.</summary>
    protected async Task QueueDrainedAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        while (await QueuedAsync() > 0)
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < DrainDeadline, "The inbound queue did not drain in time:\n" + string.Join("\n---\n", _processes.Select(p => p.Output)));
            await Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System);
        }
    }

    /// <summary>See <see cref="StoredRooms.AssertConsistentAsync"/>.</summary>
    protected Task AssertRoomsConsistentAsync() => StoredRooms.AssertConsistentAsync(_dataSource, Rooms);

    private Task<long> CountAsync(string sql) => StoredRooms.CountAsync(_dataSource, sql);
}
