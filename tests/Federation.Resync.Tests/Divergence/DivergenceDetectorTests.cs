using System.Buffers.Text;
using Federation.Protocol.Events;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Resync.Tests.Divergence;

/// <summary>
/// Our server holds a room with a fork: one branch bans Bob, the other changes the topic, and a merge keeps both. Three
/// resident servers on loopback answer MSC4500's state accumulator endpoint from a chosen view of the room: ours, one
/// that never got the ban branch (so Bob is still joined after the merge), or one with a stray extra entry.
/// </summary>
public sealed class DivergenceDetectorTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private const string Bob = "@bob:bob.test";
    private static readonly string[] BanBranch = ["$ban", "$b1", "$b2", "$b3"];
    private readonly List<FakeHomeserver> _peers = [];
    private readonly Dictionary<string, View> _views = new(StringComparer.Ordinal);
    private ResyncHarness? _harness;
    private TestRoomDag? _room;

    private enum View
    {
        Ours,
        WithoutTheBan,
        StrayEntry,
        Broken,
    }

    private ResyncHarness Harness => _harness!;

    private TestRoomDag Room => _room!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>();
        foreach (var name in new[] { "peer-a.test", "peer-b.test", "peer-c.test" })
        {
            var peer = await FakeHomeserver.StartAsync(name);
            _peers.Add(peer);
            settings[$"FederationClient:Destinations:{name}"] = peer.BaseAddress.ToString();
        }

        _harness = new ResyncHarness(database.ConnectionString, "local.test", settings);
        _room = await BuildRoomAsync(Harness.Store);
        foreach (var peer in _peers)
        {
            _views[peer.ServerName] = View.Ours;
            var server = peer.ServerName;
            peer.Handle("GET", $"/_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/{Room.RoomId}", context => AnswerAsync(server, context));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }

        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    [Fact]
    public async Task Peers_holding_our_state_are_in_sync_and_nothing_is_bisected()
    {
        var report = await ProbeAsync();

        Assert.Equal(DivergenceClass.InSync, report.Verdict.Class);
        Assert.Equal(["peer-a.test", "peer-b.test", "peer-c.test"], report.Verdict.Agreeing.Order(StringComparer.Ordinal));
        Assert.Null(report.Bisection);
        Assert.Same(report, Harness.Get<DivergenceReports>().Latest(Room.RoomId));
    }

    [Fact]
    public async Task A_single_peer_without_the_ban_lags_and_the_bisection_names_the_ban_it_never_got()
    {
        _views["peer-b.test"] = View.WithoutTheBan;

        var report = await ProbeAsync();

        Assert.Equal(DivergenceClass.PeerLagging, report.Verdict.Class);
        Assert.Equal(["peer-b.test"], report.Verdict.Disagreeing);
        Assert.Equal("peer-b.test", report.BisectedPeer);
        Assert.Equal(BisectionOutcome.Found, report.Bisection!.Outcome);
        Assert.Equal("$ban", report.Bisection.FirstDivergent);
        Assert.Equal("$bob", report.Bisection.LastAgreeing);
        Assert.True(report.Bisection.PeerLacksEvent);
    }

    [Fact]
    public async Task A_majority_without_the_ban_puts_us_in_the_minority_and_is_bisected_against_a_majority_server()
    {
        _views["peer-a.test"] = View.WithoutTheBan;
        _views["peer-b.test"] = View.WithoutTheBan;
        _views["peer-c.test"] = View.Broken;

        var report = await ProbeAsync();

        Assert.Equal(DivergenceClass.WeAreMinority, report.Verdict.Class);
        Assert.Equal(["peer-a.test", "peer-b.test"], report.Verdict.MajorityServers.Order(StringComparer.Ordinal));
        Assert.Contains(report.BisectedPeer, report.Verdict.MajorityServers);
        Assert.Equal("$ban", report.Bisection!.FirstDivergent);
        Assert.Equal("peer-c.test", Assert.Single(report.Verdict.Unanswered).Server);
    }

    [Fact]
    public async Task Three_different_digests_among_four_servers_are_no_majority_and_our_state_is_left_alone()
    {
        _views["peer-b.test"] = View.WithoutTheBan;
        _views["peer-c.test"] = View.StrayEntry;
        var before = await Harness.Store.GetStateFingerprintAsync(Room.RoomId, "$e", StatePosition.After);

        var report = await ProbeAsync();

        Assert.Equal(DivergenceClass.NoMajority, report.Verdict.Class);
        Assert.Null(report.Verdict.Majority);
        Assert.Equal(3, report.Verdict.Histogram.Count);
        Assert.NotNull(report.Bisection);
        Assert.Equal(before, await Harness.Store.GetStateFingerprintAsync(Room.RoomId, "$e", StatePosition.After));
    }

    [Fact]
    public async Task The_probe_cycle_picks_the_oldest_latest_event_of_the_peers_and_records_a_report()
    {
        await Harness.Get<DivergenceProbeService>().RunCycleAsync(CancellationToken.None);

        var report = Harness.Get<DivergenceReports>().Latest(Room.RoomId);
        Assert.NotNull(report);
        Assert.Equal("$pa", report.ProbeEvent);
        Assert.Equal(DivergenceClass.InSync, report.Verdict.Class);
    }

    private async Task<DivergenceReport> ProbeAsync() =>
        (await Harness.Get<DivergenceDetector>().ProbeAsync(Room.RoomId, "$e", CancellationToken.None))!;

    // The peer's answer for the state after the asked event, from its view of the room.
    private async Task<IResult> AnswerAsync(string server, HttpContext context)
    {
        var eventId = context.Request.Query["event_id"].ToString();
        var view = _views[server];
        if (view == View.Broken)
        {
            return Results.Json(new { errcode = "M_UNKNOWN", error = "broken" }, statusCode: 500);
        }

        var state = await Harness.Store.GetStateAsync(Room.RoomId, eventId, StatePosition.After);
        if (state is null || (view == View.WithoutTheBan && BanBranch.Contains(eventId)))
        {
            return Results.Json(new { errcode = "M_NOT_FOUND", error = "no state there" }, statusCode: 404);
        }

        var entries = state.ToDictionary(e => e.Key, e => e.Value);
        if (view == View.WithoutTheBan && entries[new StateSlot(EventTypes.Member, Bob)] == "$ban")
        {
            entries[new StateSlot(EventTypes.Member, Bob)] = "$bob";
        }

        if (view == View.StrayEntry && eventId is "$m" or "$e")
        {
            entries[new StateSlot("org.example.stray", "")] = "$stray";
        }

        var accumulator = StateAccumulator.Of(entries.Select(e => new StateEntry(e.Key.Type, e.Key.StateKey, e.Value)));
        return Results.Json(new
        {
            event_id = eventId,
            algorithm = "lthash16",
            lattice = Base64Url.EncodeToString(accumulator.Lattice.Bytes),
            n_state_events = accumulator.Count,
            digest = accumulator.Fingerprint().Digest.ToString(),
        });
    }

    // create, joins of Alice and the three peers' users and Bob; then a topic branch ($t1..$t3) and a ban branch
    // ($ban, $b1..$b3) from $bob, merged by $m (its state keeps both), and a message $e after it.
    private static async Task<TestRoomDag> BuildRoomAsync(DagStore store)
    {
        var room = new TestRoomDag($"!{Guid.NewGuid():N}:local.test");
        const string Alice = "@alice:local.test";
        room.Create("$c", Alice);
        room.Member("$j", Alice, "join", ["$c"], ["$c"]);
        room.Member("$pa", "@a:peer-a.test", "join", ["$j"], ["$c"]);
        room.Member("$pb", "@b:peer-b.test", "join", ["$pa"], ["$c"]);
        room.Member("$pc", "@c:peer-c.test", "join", ["$pb"], ["$c"]);
        room.Member("$bob", Bob, "join", ["$pc"], ["$c"]);
        room.State("$t1", EventTypes.Topic, "", Alice, ["$bob"], ["$c", "$j"]);
        room.Message("$t2", Alice, ["$t1"], ["$c", "$j"]);
        room.Message("$t3", Alice, ["$t2"], ["$c", "$j"]);
        room.Member("$ban", Alice, "ban", ["$bob"], ["$c", "$j"], target: Bob);
        room.Message("$b1", Alice, ["$ban"], ["$c", "$j"]);
        room.Message("$b2", Alice, ["$b1"], ["$c", "$j"]);
        room.Message("$b3", Alice, ["$b2"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$t3", "$b3"], ["$c", "$j"]);
        room.Message("$e", Alice, ["$m"], ["$c", "$j"]);

        var ordered = new[] { "$j", "$pa", "$pb", "$pc", "$bob" };
        var batch = new List<EventToPersist> { new(room["$c"]) { StateBefore = StateBefore.Full(new Dictionary<StateSlot, string>()) } };
        for (var i = 0; i < ordered.Length; i++)
        {
            batch.Add(EventToPersist.Accepted(room[ordered[i]], i == 0 ? "$c" : ordered[i - 1]));
        }

        batch.Add(EventToPersist.Accepted(room["$t1"], "$bob"));
        batch.Add(EventToPersist.Accepted(room["$t2"], "$t1"));
        batch.Add(EventToPersist.Accepted(room["$t3"], "$t2"));
        batch.Add(EventToPersist.Accepted(room["$ban"], "$bob"));
        batch.Add(EventToPersist.Accepted(room["$b1"], "$ban"));
        batch.Add(EventToPersist.Accepted(room["$b2"], "$b1"));
        batch.Add(EventToPersist.Accepted(room["$b3"], "$b2"));
        batch.Add(new EventToPersist(room["$m"])
        {
            StateBefore = StateBefore.Delta("$b3", new Dictionary<StateSlot, string?> { [new(EventTypes.Topic, "")] = "$t1" }),
        });
        batch.Add(EventToPersist.Accepted(room["$e"], "$m"));
        await store.PersistEventsAsync(batch);
        return room;
    }
}
