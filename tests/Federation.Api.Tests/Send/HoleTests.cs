using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Tests.Send;

/// <summary>
/// A remote pushes an event after more history than one <c>/get_missing_events</c> answer holds: the earliest event
/// it returns has a prev event we lack (a hole), whose state we fetch with <c>/state_ids</c> and resolve with ours.
/// The room also has <c>@mallory:remote.test</c>, a joined user without power.
/// </summary>
public sealed class HoleTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private Pdu _malloryJoin = null!;

    protected override Task ExtendRoomAsync(SignedRoomBuilder room)
    {
        _malloryJoin = room.Join("@mallory:remote.test");
        return Task.CompletedTask;
    }

    private async Task<JsonElement> Push(string txnId, Pdu pdu)
    {
        using var client = Server.CreateClient();
        var body = new JsonObject { ["origin"] = "remote.test", ["pdus"] = new JsonArray(JsonNode.Parse(pdu.Json.GetRawText())) };
        var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body.ToJsonString());
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        await QueueDrainedAsync();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pdus").GetProperty(pdu.EventId);
    }

    private async Task<StoredEvent?> Stored(string eventId) => (await Store.GetEventsAsync([eventId])).SingleOrDefault();

    private async Task<RoomState> CurrentState() => await new StateCalculator(Store).CurrentStateAsync(Room.RoomId, Room.Version, CancellationToken.None);

    private IEnumerable<RecordedRequest> RequestsTo(string endpoint) =>
        Remote.Requests.Where(r => r.PathAndQuery.StartsWith("/_matrix/federation/v1/" + endpoint, StringComparison.Ordinal));

    /// <summary>Makes the remote answer <c>/state_ids</c> and <c>/state</c> with this state, whatever the event.</summary>
    private void ClaimState(IReadOnlyList<Pdu> state, IReadOnlyList<Pdu> authChain)
    {
        Remote.Handle("GET", "/_matrix/federation/v1/state_ids/" + Room.RoomId, new
        {
            pdu_ids = state.Select(p => p.EventId).ToArray(),
            auth_chain_ids = authChain.Select(p => p.EventId).ToArray(),
        });
        Remote.Handle("GET", "/_matrix/federation/v1/state/" + Room.RoomId, new JsonObject
        {
            ["pdus"] = new JsonArray([.. state.Select(p => JsonNode.Parse(p.Json.GetRawText()))]),
            ["auth_chain"] = new JsonArray([.. authChain.Select(p => JsonNode.Parse(p.Json.GetRawText()))]),
        });
    }

    private string StateIdsPath => "/_matrix/federation/v1/state_ids/" + Room.RoomId;

    /// <summary>Puts <paramref name="wrapper"/> around the remote's handler of <paramref name="path"/>.</summary>
    private void Wrap(string method, string path, Func<HttpContext, Func<HttpContext, Task<IResult>>, Task<IResult>> wrapper)
    {
        var inner = Remote.HandlerFor(method, path);
        Remote.Handle(method, path, context => wrapper(context, inner));
    }

    private List<Pdu> Messages(int count) => [.. Enumerable.Range(1, count).Select(i => Room.Message("@alice:remote.test", "m" + i))];

    [Fact]
    public async Task A_gap_longer_than_one_missing_events_answer_is_closed_through_the_state_at_the_hole()
    {
        _ = Server.CreateClient();
        var ourExtremity = Room.Last.EventId;
        var history = Messages(15);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        var result = await Push("h1", pushed);

        Assert.Equal("{}", result.GetRawText());
        var hole = history[4];
        Assert.True((await Stored(hole.EventId))!.IsOutlier);
        foreach (var pulled in history.Skip(5).Append(pushed))
        {
            var stored = await Stored(pulled.EventId);
            Assert.Equal(EventStatus.Accepted, stored!.Status);
            Assert.False(stored.IsOutlier);
        }

        foreach (var unreached in history.Take(4))
        {
            Assert.Null(await Stored(unreached.EventId));
        }

        Assert.Equal(new[] { ourExtremity, pushed.EventId }.Order(), (await Store.GetForwardExtremitiesAsync(Room.RoomId)).Order());
        Assert.Equal([hole.EventId], (await Store.GetHolesAsync(Room.RoomId)).Select(h => h.EventId));
        var stateIds = Assert.Single(RequestsTo("state_ids"));
        Assert.EndsWith("?event_id=" + Uri.EscapeDataString(hole.EventId), stateIds.PathAndQuery, StringComparison.Ordinal);
        Assert.Empty(RequestsTo("state/"));
        Assert.Single(RequestsTo("get_missing_events"));
    }

    [Fact]
    public async Task The_state_at_a_hole_includes_the_missing_prev_event_itself()
    {
        _ = Server.CreateClient();
        Messages(4);
        var topic = Room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "changed behind the hole" });
        Messages(10);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        Assert.Equal("{}", (await Push("h2", pushed)).GetRawText());

        var before = await Store.GetStateAsync(Room.RoomId, pushed.EventId, StatePosition.Before);
        Assert.Equal(topic.EventId, before![new StateSlot(EventTypes.Topic, "")]);
    }

    [Fact]
    public async Task Most_of_a_hole_state_missing_is_fetched_with_one_state_request()
    {
        _ = Server.CreateClient();
        foreach (var name in new[] { "carol", "dave", "erin", "frank" })
        {
            Room.Join($"@{name}:remote.test");
        }

        Messages(12);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        Assert.Equal("{}", (await Push("h3", pushed)).GetRawText());

        Assert.Single(RequestsTo("state/"));
        var carol = Room.State[(EventTypes.Member, "@carol:remote.test")];
        Assert.True((await Stored(carol.EventId))!.IsOutlier);
        var current = await CurrentState();
        Assert.Equal(carol.EventId, current[EventTypes.Member, "@carol:remote.test"]);
    }

    [Fact]
    public async Task A_state_ids_answer_that_hides_the_power_levels_cannot_take_over_the_room()
    {
        _ = Server.CreateClient();
        var realPowerLevels = Room.State[(EventTypes.PowerLevels, "")];
        var create = Room.State[(EventTypes.Create, "")];
        var joinRules = Room.State[(EventTypes.JoinRules, "")];
        // Mallory forks from the create event and claims a power-levels event authorised as if the room had none.
        var fork = Room.Add(
            "@mallory:remote.test", EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "fork" }, prevEvents: [create.EventId]);
        var forged = Room.Add(
            "@mallory:remote.test", EventTypes.PowerLevels, "", new JsonObject { ["users"] = new JsonObject { ["@mallory:remote.test"] = 100 } },
            prevEvents: [fork.EventId], authEvents: [create.EventId, _malloryJoin.EventId]);
        var chain = Enumerable.Range(1, 11).Select(i => Room.Message("@mallory:remote.test", "mine " + i)).ToList();
        var takeover = Room.Add("@mallory:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "owned" });
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        ClaimState([create, _malloryJoin, forged, joinRules], [create, _malloryJoin, realPowerLevels, joinRules]);

        var result = await Push("h4", takeover);

        // The forged event fails its own auth events (without a power-levels event, state needs level 50), so it is
        // kept out of the claimed state, and everything Mallory built on it is rejected.
        Assert.Equal("{}", result.GetRawText());
        var stored = (await Stored(forged.EventId))!;
        Assert.True(stored.IsOutlier);
        Assert.Equal(EventStatus.Rejected, stored.Status);
        Assert.Equal(EventStatus.Rejected, (await Stored(chain[^1].EventId))!.Status);
        Assert.Equal(EventStatus.Rejected, (await Stored(takeover.EventId))!.Status);
        var current = await CurrentState();
        Assert.Equal(realPowerLevels.EventId, current[EventTypes.PowerLevels, ""]);
        Assert.Null(current[EventTypes.Topic, ""]);
    }

    [Fact]
    public async Task A_stale_snapshot_from_before_a_ban_does_not_let_the_banned_user_back_in()
    {
        _ = Server.CreateClient();
        var ban = Room.Add("@alice:remote.test", EventTypes.Member, "@mallory:remote.test", new JsonObject { ["membership"] = "ban" });
        await LinearHistory.PersistAsync(Store, [ban], after: _malloryJoin.EventId);
        var authBeforeBan = new[] { Room.State[(EventTypes.Create, "")], Room.State[(EventTypes.PowerLevels, "")], _malloryJoin }
            .Select(p => p.EventId).ToArray();
        var fork = new List<Pdu>();
        for (var i = 0; i < 13; i++)
        {
            fork.Add(Room.Add(
                "@mallory:remote.test", EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "still here " + i },
                prevEvents: [fork.Count == 0 ? _malloryJoin.EventId : fork[^1].EventId], authEvents: authBeforeBan));
        }

        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        var result = await Push("h6", fork[^1]);

        // The fork's own snapshot has Mallory joined, so its events pass against the state before them, but the
        // current state resolves that snapshot with ours, where the ban wins.
        Assert.Equal("{}", result.GetRawText());
        foreach (var pulled in fork.Skip(2))
        {
            Assert.Equal(EventStatus.SoftFailed, (await Stored(pulled.EventId))!.Status);
        }

        Assert.Equal(ban.EventId, (await CurrentState())[EventTypes.Member, "@mallory:remote.test"]);
        Assert.Equal([ban.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task A_hole_whose_state_cannot_be_fetched_leaves_the_pushed_event_unstored()
    {
        _ = Server.CreateClient();
        var before = await Store.GetForwardExtremitiesAsync(Room.RoomId);
        var history = Messages(12);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        Remote.Handle("GET", "/_matrix/federation/v1/state_ids/" + Room.RoomId, new { errcode = "M_UNKNOWN", error = "down" }, 500);

        var result = await Push("h5", pushed);

        Assert.Equal("{}", result.GetRawText());
        Assert.Null(await Stored(pushed.EventId));
        Assert.Single(RequestsTo("state_ids"));
        foreach (var pulled in history)
        {
            Assert.Null(await Stored(pulled.EventId));
        }

        Assert.Equal(before, await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task A_hole_costs_two_round_trips_as_the_prev_event_is_asked_for_alongside_its_state_ids()
    {
        _ = Server.CreateClient();
        var history = Messages(15);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        var hole = history[4];
        var steps = new ConcurrentQueue<string>();
        var holeAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Wrap("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, async (context, inner) =>
        {
            var answer = await inner(context);
            steps.Enqueue("answered get_missing_events");
            return answer;
        });
        Wrap("GET", "/_matrix/federation/v1/event/" + hole.EventId, (context, inner) =>
        {
            steps.Enqueue("asked event");
            holeAsked.TrySetResult();
            return inner(context);
        });
        Wrap("GET", StateIdsPath, async (context, inner) =>
        {
            steps.Enqueue("asked state_ids");
            // The answer waits for the prev event to be asked for: asked only after it, it never is in time.
            try
            {
                await holeAsked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                steps.Enqueue("gave up waiting for the event");
            }

            steps.Enqueue("answered state_ids");
            return await inner(context);
        });

        Assert.Equal("{}", (await Push("h7", pushed)).GetRawText());

        Assert.Equal(EventStatus.Accepted, (await Stored(pushed.EventId))!.Status);
        var order = steps.ToList();
        Assert.Equal("answered get_missing_events", order[0]);
        Assert.Equal(new[] { "asked event", "asked state_ids" }, order.Skip(1).Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(["answered state_ids"], order.Skip(3));
        Assert.Single(RequestsTo("get_missing_events"));
        Assert.Single(RequestsTo("state_ids"));
        Assert.Single(RequestsTo("event/"));
        Assert.Empty(RequestsTo("state/"));
    }

    [Fact]
    public async Task The_extremity_a_hole_leaves_behind_is_pruned_once_the_room_has_moved_well_past_it()
    {
        _ = Server.CreateClient();
        var leftBehind = Room.Last.EventId;
        Messages(25);
        var topic = Room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "after the hole" });
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        var currentBefore = await CurrentState();

        Assert.Equal("{}", (await Push("h8", topic)).GetRawText());

        // Mallory's join is 26 events behind the topic, which another remote.test user sent, and the current state is
        // the state after the topic, so the join goes (Synapse's rule); the current state is what it was with it.
        Assert.Equal(EventStatus.Accepted, (await Stored(topic.EventId))!.Status);
        Assert.Equal([topic.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
        var current = await CurrentState();
        Assert.Equal(topic.EventId, current[EventTypes.Topic, ""]);
        Assert.Equal(currentBefore.Entries.Count + (currentBefore[EventTypes.Topic, ""] is null ? 1 : 0), current.Entries.Count);
        Assert.True((await Stored(leftBehind))!.Status == EventStatus.Accepted);
    }

    [Fact]
    public async Task An_extremity_of_our_own_is_never_pruned()
    {
        _ = Server.CreateClient();
        var previous = Room.Last.EventId;
        var ours = Room.Message("@bob:test.example", "from us");
        await LinearHistory.PersistAsync(Store, [ours], after: previous);
        Messages(25);
        var topic = Room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "after the hole" });
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);

        Assert.Equal("{}", (await Push("h9", topic)).GetRawText());

        Assert.Equal(EventStatus.Accepted, (await Stored(topic.EventId))!.Status);
        Assert.Equal(new[] { ours.EventId, topic.EventId }.Order(), (await Store.GetForwardExtremitiesAsync(Room.RoomId)).Order());
    }

    [Fact]
    public async Task A_hole_whose_state_could_not_be_fetched_is_asked_for_again_only_after_its_back_off()
    {
        _ = Server.CreateClient();
        var history = Messages(12);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        var truthful = Remote.HandlerFor("GET", StateIdsPath);
        Remote.Handle("GET", StateIdsPath, new { errcode = "M_UNKNOWN", error = "down" }, 500);
        var hole = history[1];
        var firstPulled = history[2];

        await Push("b1", pushed);
        await Push("b2", pushed);

        // The second push pulls the same events, but the state at the hole is not asked for again so soon.
        Assert.Null(await Stored(pushed.EventId));
        Assert.Equal(2, RequestsTo("get_missing_events").Count());
        Assert.Single(RequestsTo("state_ids"));
        var failed = await Store.GetFailedPullsAsync(Room.RoomId, [hole.EventId, firstPulled.EventId, history[3].EventId]);
        Assert.Equal(new[] { hole.EventId, firstPulled.EventId }.Order(), failed.Keys.Order());
        Assert.All(failed.Values, f => Assert.Equal((1, Server.Time.GetUtcNow() + TimeSpan.FromMinutes(1)), (f.Attempts, f.NextAttemptAt)));

        Server.Time.Advance(TimeSpan.FromMinutes(1));
        Remote.Handle("GET", StateIdsPath, truthful);
        await Push("b3", pushed);

        Assert.Equal(EventStatus.Accepted, (await Stored(pushed.EventId))!.Status);
        Assert.Equal(2, RequestsTo("state_ids").Count());
        Assert.Empty(await Store.GetFailedPullsAsync(Room.RoomId, [hole.EventId, firstPulled.EventId]));
    }

    [Fact]
    public async Task Prev_events_that_get_missing_events_could_not_supply_are_asked_for_again_only_after_their_back_off()
    {
        _ = Server.CreateClient();
        Messages(3);
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        var gmePath = "/_matrix/federation/v1/get_missing_events/" + Room.RoomId;
        var truthful = Remote.HandlerFor("POST", gmePath);
        Remote.Handle("POST", gmePath, new { errcode = "M_NOT_FOUND", error = "gone" }, 404);

        await Push("g1", pushed);
        await Push("g2", pushed);

        Assert.Null(await Stored(pushed.EventId));
        Assert.Single(RequestsTo("get_missing_events"));

        Server.Time.Advance(TimeSpan.FromMinutes(1));
        Remote.Handle("POST", gmePath, truthful);
        await Push("g3", pushed);

        Assert.Equal(EventStatus.Accepted, (await Stored(pushed.EventId))!.Status);
        Assert.Equal(2, RequestsTo("get_missing_events").Count());
    }
}
