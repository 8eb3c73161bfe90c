using Federation.Ingest;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Holes;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Resync.Tests.Holes;

/// <summary>
/// Our server (on a test database, with a fake clock) took a room's latest message from origin.test without what came
/// before it, so the message's prev event is a hole. Two resident servers on loopback, origin.test (Bob's) and
/// second.test (Carol's), hold the whole history and answer truthfully unless a test makes their <c>/backfill</c> fail.
/// </summary>
public sealed class HoleRepairServiceTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private readonly List<FakeHomeserver> _servers = [];
    private ResyncHarness? _harness;
    private SignedRoomBuilder? _room;
    private Pdu? _hole;

    private FakeHomeserver Origin => _servers[0];

    private FakeHomeserver Second => _servers[1];

    private ResyncHarness Harness => _harness!;

    private SignedRoomBuilder Room => _room!;

    public async Task InitializeAsync()
    {
        _servers.Add(await FakeHomeserver.StartAsync("origin.test"));
        _servers.Add(await FakeHomeserver.StartAsync("second.test"));
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_hole_left_by_a_late_arrival_is_filled_from_the_origin_with_the_history_before_it()
    {
        await JoinLateAsync(new Dictionary<string, string?>());
        var extremities = await Harness.Store.GetForwardExtremitiesAsync(Room.RoomId);

        var attempts = await RunOnceAsync();

        Assert.Equal([new HoleRepairAttempt(Room.RoomId, _hole!.EventId, "origin.test", HoleRepairOutcome.Filled)], attempts);
        await AssertOnlyTheCreateEventIsPlacedNextFromOurCopyAsync();
        var held = await Harness.Store.GetEventsAsync(Room.RoomId, [.. Room.Events.Select(e => e.EventId)]);
        Assert.Equal(Room.Events.Count, held.Count(e => !e.IsOutlier));
        Assert.Equal(extremities, await Harness.Store.GetForwardExtremitiesAsync(Room.RoomId));
        Assert.DoesNotContain(Second.Requests, IsBackfill);
    }

    [Fact]
    public async Task When_the_origin_fails_the_next_server_is_asked_once_the_back_off_has_passed()
    {
        await JoinLateAsync(new Dictionary<string, string?>());
        FailBackfill(Origin);

        var first = await RunOnceAsync();
        var hole = (await Harness.Store.GetHolesAsync(Room.RoomId)).Single();

        Assert.Equal([new HoleRepairAttempt(Room.RoomId, _hole!.EventId, "origin.test", HoleRepairOutcome.Failed)], first);
        Assert.Equal(1, hole.Attempts);
        Assert.Equal(["origin.test"], hole.AskedServers);
        Assert.Equal(Harness.Time.GetUtcNow() + TimeSpan.FromSeconds(30), hole.NextAttemptAt);

        Harness.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await RunOnceAsync());

        Harness.Time.Advance(TimeSpan.FromSeconds(1));
        var second = await RunOnceAsync();

        Assert.Equal([new HoleRepairAttempt(Room.RoomId, _hole.EventId, "second.test", HoleRepairOutcome.Filled)], second);
        await AssertOnlyTheCreateEventIsPlacedNextFromOurCopyAsync();
        Assert.Single(Origin.Requests, IsBackfill);
        Assert.Single(Second.Requests, IsBackfill);
    }

    [Fact]
    public async Task A_hole_nobody_can_fill_is_marked_lost_after_the_deadline_and_no_longer_asked_for()
    {
        await JoinLateAsync(new Dictionary<string, string?>
        {
            ["Resync:Holes:GiveUpAfter"] = "00:05:00",
            ["Resync:Holes:MaximumBackoff"] = "00:01:00",
        });
        FailBackfill(Origin);
        FailBackfill(Second);
        var discovered = (await Harness.Store.GetHolesAsync(Room.RoomId)).Single().DiscoveredAt;

        var outcomes = new List<HoleRepairAttempt>();
        while (!outcomes.Exists(a => a.Outcome == HoleRepairOutcome.Lost))
        {
            Assert.True(Harness.Time.GetUtcNow() - discovered < TimeSpan.FromMinutes(10), "not given up in time");
            outcomes.AddRange(await RunOnceAsync());
            Harness.Time.Advance(TimeSpan.FromSeconds(10));
        }

        var lost = (await Harness.Store.GetHolesAsync(Room.RoomId)).Single();
        Assert.NotNull(lost.GivenUpAt);
        Assert.True(lost.GivenUpAt - discovered >= TimeSpan.FromMinutes(5));
        Assert.Equal(["origin.test", "second.test"], lost.AskedServers);
        Assert.All(outcomes.SkipLast(1), a => Assert.Equal(HoleRepairOutcome.Failed, a.Outcome));
        Assert.Equal(
            outcomes.Count - 1,
            Origin.Requests.Count(IsBackfill) + Second.Requests.Count(IsBackfill));

        var asked = Origin.Requests.Count(IsBackfill) + Second.Requests.Count(IsBackfill);
        Harness.Time.Advance(TimeSpan.FromDays(2));
        Assert.Empty(await RunOnceAsync());
        Assert.Equal(asked, Origin.Requests.Count(IsBackfill) + Second.Requests.Count(IsBackfill));
    }

    [Fact]
    public async Task A_hole_claimed_by_another_process_on_the_database_is_left_alone_until_that_claim_runs_out()
    {
        await JoinLateAsync(new Dictionary<string, string?> { ["Resync:Holes:ClaimLease"] = "00:02:00" });
        var otherProcess = new DagStore(Harness.Get<NpgsqlDataSource>(), Harness.Time);
        Assert.NotNull(await otherProcess.ClaimHoleAsync(Room.RoomId, _hole!.EventId, Harness.Time.GetUtcNow() + TimeSpan.FromMinutes(2)));

        Assert.Empty(await RunOnceAsync());
        Assert.DoesNotContain(Origin.Requests, IsBackfill);

        // The other process died without recording anything: once its claim runs out the hole is ours.
        Harness.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal([new HoleRepairAttempt(Room.RoomId, _hole.EventId, "origin.test", HoleRepairOutcome.Filled)], await RunOnceAsync());
        Assert.Single(Origin.Requests, IsBackfill);
    }

    /// <summary>
    /// The create event, held as an outlier since the state across the first hole was fetched and never sent again (a
    /// room has one), is the last hole once the history before it arrived; the next pass places it from our own copy.
    /// </summary>
    private async Task AssertOnlyTheCreateEventIsPlacedNextFromOurCopyAsync()
    {
        var create = Room.Events[0].EventId;
        Assert.Equal([create], (await Harness.Store.GetHolesAsync(Room.RoomId)).Select(h => h.EventId));
        var requests = Origin.Requests.Count + Second.Requests.Count;

        Assert.Equal([new HoleRepairAttempt(Room.RoomId, create, null, HoleRepairOutcome.Filled)], await RunOnceAsync());
        Assert.Empty(await Harness.Store.GetHolesAsync(Room.RoomId));
        Assert.Equal(requests, Origin.Requests.Count + Second.Requests.Count);
    }

    [Fact]
    public async Task A_pass_asks_for_at_most_the_bound_and_the_next_pass_starts_with_the_next_room()
    {
        await JoinLateAsync(new Dictionary<string, string?> { ["Resync:Holes:HolesPerCycle"] = "1" });
        var (other, otherHole) = await AddRoomJoinedLateAsync();
        var service = Harness.Get<HoleRepairService>();
        string[] ours = [Room.RoomId, other.RoomId];
        var first = (await service.RunOnceAsync(CancellationToken.None)).Where(a => ours.Contains(a.RoomId)).ToList();

        var second = (await service.RunOnceAsync(CancellationToken.None)).Where(a => ours.Contains(a.RoomId)).ToList();

        // The first room now has a new due hole (its create event), yet the second pass goes to the other room.
        var firstAttempt = Assert.Single(first);
        var secondAttempt = Assert.Single(second);
        Assert.Equal(HoleRepairOutcome.Filled, firstAttempt.Outcome);
        Assert.Equal(HoleRepairOutcome.Filled, secondAttempt.Outcome);
        Assert.NotEqual(firstAttempt.RoomId, secondAttempt.RoomId);
        Assert.Equal(
            new[] { _hole!.EventId, otherHole.EventId }.Order(StringComparer.Ordinal),
            new[] { firstAttempt.EventId, secondAttempt.EventId }.Order(StringComparer.Ordinal));
    }

    private static bool IsBackfill(RecordedRequest request) => request.PathAndQuery.Contains("/backfill/", StringComparison.Ordinal);

    /// <summary>Starts our server with <paramref name="settings"/> and joins one room late.</summary>
    private async Task JoinLateAsync(Dictionary<string, string?> settings)
    {
        foreach (var server in _servers)
        {
            settings[$"FederationClient:Destinations:{server.ServerName}"] = server.BaseAddress.ToString();
        }

        _harness = new ResyncHarness(database.ConnectionString, "local.test", settings);
        (_room, _hole) = await AddRoomJoinedLateAsync();
    }

    /// <summary>Builds a room on both remote servers and hands our server only its latest message, as a server that
    /// joined after the history did: the message's prev event becomes a hole.</summary>
    private async Task<(SignedRoomBuilder Room, Pdu Hole)> AddRoomJoinedLateAsync()
    {
        var room = new SignedRoomBuilder(RoomVersion.Get("10"), Origin.Identity, Second.Identity, Harness.Identity)
            .CreatePublicRoom("@bob:origin.test");
        room.Join("@carol:second.test");
        room.Join("@alice:local.test");
        room.Message("@carol:second.test", "early 1");
        var hole = room.Message("@carol:second.test", "early 2");
        var message = room.Message("@bob:origin.test", "latest");
        foreach (var server in _servers)
        {
            RoomHistoryServer.Serve(server, room.Version, room.RoomId, room.Events);
        }

        var latest = await Harness.Get<RemoteRoomReader>()
            .GetEventAsync("origin.test", room.RoomId, room.Version, message.EventId, CancellationToken.None);
        var outcomes = await Harness.Get<PduIngestor>().ProcessPulledAsync("origin.test", [latest!], CancellationToken.None);
        Assert.Equal(PduDisposition.Accepted, outcomes.Single().Outcome.Disposition);
        Assert.Equal([hole.EventId], (await Harness.Store.GetHolesAsync(room.RoomId)).Select(h => h.EventId));
        return (room, hole);
    }

    private void FailBackfill(FakeHomeserver server) =>
        server.Handle("GET", "/_matrix/federation/v1/backfill/" + Room.RoomId, new { errcode = "M_NOT_FOUND", error = "Unknown event" }, 404);

    private async Task<IReadOnlyList<HoleRepairAttempt>> RunOnceAsync() =>
        [.. (await Harness.Get<HoleRepairService>().RunOnceAsync(CancellationToken.None)).Where(a => a.RoomId == Room.RoomId)];
}
