using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Rooms;

/// <summary>Remote servers on loopback read a room our server holds, over signed requests.</summary>
public sealed class RoomReadEndpointsTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database, "remote.test", "stranger.test"), IClassFixture<PostgresDatabaseFixture>
{
    private Pdu? _first;
    private Pdu? _second;
    private Pdu? _topic;

    /// <summary>A server with a key of its own but no user in the room (until a test adds one).</summary>
    private FakeHomeserver Stranger => Remotes[1];

    protected override Task ExtendRoomAsync(SignedRoomBuilder room)
    {
        _first = room.Message("@alice:remote.test", "first");
        _topic = room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "t" });
        _second = room.Message("@bob:test.example", "second");
        return Task.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Get(FakeHomeserver from, string pathAndQuery, string? body = null)
    {
        using var client = Server.CreateClient();
        var response = await from.SendSignedAsync(
            client, client.BaseAddress!, "test.example", body is null ? HttpMethod.Get : HttpMethod.Post, pathAndQuery, body);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private static string Escaped(string id) => Uri.EscapeDataString(id);

    private static string[] Ids(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray();

    private string[] StateBefore(Pdu pdu) =>
        Room.Events.TakeWhile(e => e.EventId != pdu.EventId).Where(e => e.IsState)
            .GroupBy(e => (e.Type, e.StateKey)).Select(g => g.Last().EventId).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public async Task State_ids_answers_the_state_before_the_event_without_the_events_own_change()
    {
        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/state_ids/{Escaped(Room.RoomId)}?event_id={Escaped(_topic!.EventId)}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(StateBefore(_topic), Ids(body.GetProperty("pdu_ids")));
        Assert.DoesNotContain(_topic.EventId, Ids(body.GetProperty("pdu_ids")));
        Assert.Contains(Room.Events[0].EventId, Ids(body.GetProperty("auth_chain_ids")));
    }

    [Fact]
    public async Task State_answers_the_same_state_as_full_events()
    {
        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/state/{Escaped(Room.RoomId)}?event_id={Escaped(_second!.EventId)}");

        Assert.Equal(HttpStatusCode.OK, status);
        var ids = body.GetProperty("pdus").EnumerateArray()
            .Select(e => Pdu.Parse(e, Room.Version).EventId).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(StateBefore(_second), ids);
    }

    [Theory]
    [InlineData("?event_id=%24unknown", HttpStatusCode.NotFound, "M_NOT_FOUND")]
    [InlineData("", HttpStatusCode.BadRequest, "M_MISSING_PARAM")]
    public async Task State_ids_refuses_unknown_events_and_a_missing_event_id(string query, HttpStatusCode status, string errorCode)
    {
        var (actual, body) = await Get(Remote, $"/_matrix/federation/v1/state_ids/{Escaped(Room.RoomId)}{query}");

        Assert.Equal(status, actual);
        Assert.Equal(errorCode, body.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task State_ids_for_an_event_of_another_room_is_404()
    {
        var other = new SignedRoomBuilder(RoomVersion.Get("10"), Remote.Identity, Server.Identity).CreatePublicRoom("@alice:remote.test");
        other.Join("@bob:test.example");
        await LinearHistory.PersistAsync(Store, other.Events);

        var (status, _) = await Get(Remote, $"/_matrix/federation/v1/state_ids/{Escaped(Room.RoomId)}?event_id={Escaped(other.Last.EventId)}");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Theory]
    [InlineData("/_matrix/federation/v1/state_ids/{room}?event_id={event}")]
    [InlineData("/_matrix/federation/v1/state/{room}?event_id={event}")]
    [InlineData("/_matrix/federation/v1/event/{event}")]
    [InlineData("/_matrix/federation/v1/event_auth/{room}/{event}")]
    [InlineData("/_matrix/federation/v1/backfill/{room}?v={event}&limit=5")]
    public async Task A_server_with_no_member_in_the_room_is_forbidden(string template)
    {
        var path = template.Replace("{room}", Escaped(Room.RoomId), StringComparison.Ordinal)
            .Replace("{event}", Escaped(_second!.EventId), StringComparison.Ordinal);

        var (status, body) = await Get(Stranger, path);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("M_FORBIDDEN", body.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task Event_answers_a_transaction_with_the_event()
    {
        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/event/{Escaped(_first!.EventId)}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("test.example", body.GetProperty("origin").GetString());
        var pdu = Pdu.Parse(Assert.Single(body.GetProperty("pdus").EnumerateArray()), Room.Version);
        Assert.Equal(_first.EventId, pdu.EventId);
        Assert.Equal("first", pdu.Content.GetProperty("body").GetString());
    }

    [Fact]
    public async Task Event_auth_answers_exactly_the_auth_chain_of_the_event()
    {
        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/event_auth/{Escaped(Room.RoomId)}/{Escaped(_second!.EventId)}");

        Assert.Equal(HttpStatusCode.OK, status);
        var ids = body.GetProperty("auth_chain").EnumerateArray().Select(e => Pdu.Parse(e, Room.Version).EventId).ToHashSet();
        var expected = new HashSet<string>();
        var queue = new Queue<string>(_second.AuthEvents);
        while (queue.TryDequeue(out var id))
        {
            if (expected.Add(id))
            {
                foreach (var next in Room.Events.Single(e => e.EventId == id).AuthEvents)
                {
                    queue.Enqueue(next);
                }
            }
        }

        Assert.Equal(expected.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_missing_events_walks_back_from_latest_to_earliest_oldest_first()
    {
        var request = new JsonObject
        {
            ["earliest_events"] = new JsonArray(_first!.EventId),
            ["latest_events"] = new JsonArray(_second!.EventId),
            ["limit"] = 10,
        }.ToJsonString();

        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/get_missing_events/{Escaped(Room.RoomId)}", request);

        Assert.Equal(HttpStatusCode.OK, status);
        var ids = body.GetProperty("events").EnumerateArray().Select(e => Pdu.Parse(e, Room.Version).EventId);
        Assert.Equal([_topic!.EventId], ids);
    }

    [Fact]
    public async Task Backfill_answers_the_seed_and_its_predecessors_newest_first_up_to_the_limit()
    {
        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/backfill/{Escaped(Room.RoomId)}?v={Escaped(_second!.EventId)}&limit=3");

        Assert.Equal(HttpStatusCode.OK, status);
        var ids = body.GetProperty("pdus").EnumerateArray().Select(e => Pdu.Parse(e, Room.Version).EventId);
        Assert.Equal([_second.EventId, _topic!.EventId, _first!.EventId], ids);
    }

    [Fact]
    public async Task Backfill_without_a_limit_is_400()
    {
        var (status, body) = await Get(Remote, $"/_matrix/federation/v1/backfill/{Escaped(Room.RoomId)}?v={Escaped(_second!.EventId)}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("M_MISSING_PARAM", body.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task A_server_denied_by_the_acl_is_forbidden_even_with_a_joined_member()
    {
        var acl = Room.Add("@alice:remote.test", EventTypes.ServerAcl, "", new JsonObject
        {
            ["allow"] = new JsonArray("*"),
            ["deny"] = new JsonArray("stranger.test"),
        });
        var join = Room.Join("@carol:stranger.test");
        await LinearHistory.PersistAsync(Store, [acl, join], after: _second!.EventId);

        var (status, body) = await Get(Stranger, $"/_matrix/federation/v1/event/{Escaped(_second.EventId)}");

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("ACL", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_the_server_may_not_see_is_served_redacted()
    {
        var visibility = Room.Add("@alice:remote.test", EventTypes.HistoryVisibility, "", new JsonObject { ["history_visibility"] = "joined" });
        var secret = Room.Message("@alice:remote.test", "before you came");
        var join = Room.Join("@carol:stranger.test");
        await LinearHistory.PersistAsync(Store, [visibility, secret, join], after: _second!.EventId);

        var (status, body) = await Get(Stranger, $"/_matrix/federation/v1/event/{Escaped(secret.EventId)}");

        Assert.Equal(HttpStatusCode.OK, status);
        var served = Pdu.Parse(Assert.Single(body.GetProperty("pdus").EnumerateArray()), Room.Version);
        Assert.Equal(secret.EventId, served.EventId);
        Assert.Equal("{}", served.Content.GetRawText());
    }
}
