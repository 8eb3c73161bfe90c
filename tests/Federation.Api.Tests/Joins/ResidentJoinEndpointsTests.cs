using System.Net;
using System.Text.Json.Nodes;
using Federation.Api.Tests.Client;
using Federation.Local.Events;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Joins;

/// <summary>Our server as the resident of a room: make_join and send_join asked by a remote homeserver over loopback.</summary>
public sealed class ResidentJoinEndpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private const string Resident = "resident.test";
    private FederationServerFactory _server = null!;
    private FakeHomeserver _remote = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _remote = await FakeHomeserver.StartAsync("joiner.test");
        _server = new FederationServerFactory(database, Resident).OverLoopback();
        _server.Settings[$"FederationClient:Destinations:{_remote.ServerName}"] = _remote.BaseAddress.ToString();
        _server.Settings["FederationClient:MaxRetries"] = "0";
        ClientSession.Configure(_server);
        _http = _server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _server.Dispose();
        await _remote.DisposeAsync();
    }

    private Task<HttpResponseMessage> AsRemote(HttpMethod method, string path, string? body = null) =>
        _remote.SendSignedAsync(_http, _http.BaseAddress!, Resident, method, path, body);

    private static string MakeJoin(string roomId, string userId, string query = "ver=10") =>
        $"/_matrix/federation/v1/make_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(userId)}?{query}";

    private static async Task<JsonNode> Json(HttpResponseMessage response) => JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

    [Fact]
    public async Task Make_join_for_a_user_of_another_server_is_403()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "mj-alice");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });

        var response = await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@someone:elsewhere.test"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("M_FORBIDDEN", (await Json(response))["errcode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Make_join_without_the_rooms_version_is_400_M_INCOMPATIBLE_ROOM_VERSION_naming_it()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "mj-version");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });

        var response = await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@zoe:joiner.test", "ver=1&ver=2"));
        var body = await Json(response);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("M_INCOMPATIBLE_ROOM_VERSION", body["errcode"]!.GetValue<string>());
        Assert.Equal("10", body["room_version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Make_join_for_an_invite_only_room_is_403_and_for_an_unknown_room_404()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "mj-private");
        var roomId = await alice.CreateRoomAsync(new { preset = "private_chat" });

        var inviteOnly = await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@zoe:joiner.test"));
        var unknown = await AsRemote(HttpMethod.Get, MakeJoin("!nowhere:resident.test", "@zoe:joiner.test"));

        Assert.Equal(HttpStatusCode.Forbidden, inviteOnly.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Send_join_of_the_signed_template_answers_the_state_before_the_join_and_the_room_has_the_member()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "sj-alice");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var template = (await Json(await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@zoe:joiner.test"))))["event"]!.AsObject();
        var join = EventSealing.Seal(template, RoomVersion.Get("10"), _remote.Identity);

        var response = await AsRemote(
            HttpMethod.Put,
            $"/_matrix/federation/v2/send_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(join.EventId)}",
            CanonicalJson.EncodeToString(join.Json));
        var body = await Json(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stateIds = body["state"]!.AsArray().Select(e => e!["type"]!.GetValue<string>() + "|" + e["state_key"]!.GetValue<string>()).ToArray();
        Assert.Contains("m.room.create|", stateIds);
        Assert.Contains($"m.room.member|{alice.UserId}", stateIds);
        Assert.DoesNotContain("m.room.member|@zoe:joiner.test", stateIds);
        Assert.NotEmpty(body["auth_chain"]!.AsArray());
        Assert.False(body["members_omitted"]!.GetValue<bool>());
        Assert.Equal(Resident, body["origin"]!.GetValue<string>());
        // The servers in the room before the join (spec): the joining server was not one of them.
        Assert.Equal([Resident], body["servers_in_room"]!.AsArray().Select(s => s!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.Contains($"m.room.member|@zoe:joiner.test|{join.EventId}", await alice.StateAsync(roomId));
    }

    [Fact]
    public async Task Send_join_under_another_event_id_is_400()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "sj-mismatch");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var template = (await Json(await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@zed:joiner.test"))))["event"]!.AsObject();
        var join = EventSealing.Seal(template, RoomVersion.Get("10"), _remote.Identity);

        var response = await AsRemote(
            HttpMethod.Put,
            $"/_matrix/federation/v2/send_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString("$not-this-one")}",
            CanonicalJson.EncodeToString(join.Json));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("M_BAD_JSON", (await Json(response))["errcode"]!.GetValue<string>());
    }

    private Task<HttpResponseMessage> SendJoin(string roomId, Pdu join) =>
        AsRemote(
            HttpMethod.Put,
            $"/_matrix/federation/v2/send_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(join.EventId)}",
            CanonicalJson.EncodeToString(join.Json));

    [Fact]
    public async Task Make_join_from_a_server_the_rooms_acl_denies_is_403()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "mj-acl");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        await alice.PutAsync(
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.server_acl",
            new { allow = new[] { "*" }, deny = new[] { "joiner.test" }, allow_ip_literals = true });

        var response = await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@zoe:joiner.test"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("M_FORBIDDEN", (await Json(response))["errcode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Send_join_again_of_a_join_stored_as_soft_failed_is_403_not_a_successful_join()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "sj-again");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat", room_version = "10" });
        var template = (await Json(await AsRemote(HttpMethod.Get, MakeJoin(roomId, "@yan:joiner.test"))))["event"]!.AsObject();
        var join = EventSealing.Seal(template, RoomVersion.Get("10"), _remote.Identity);
        // The user is banned after the template was made: the join is allowed by the state before it, not by the current
        // one (the ban is the only candidate for its slot, so the resolution does not depend on timestamps or ids).
        await alice.PutAsync(
            $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.member/{Uri.EscapeDataString("@yan:joiner.test")}",
            new { membership = "ban" });

        var first = await SendJoin(roomId, join);
        var again = await SendJoin(roomId, join);

        Assert.Equal(HttpStatusCode.Forbidden, first.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, again.StatusCode);
        Assert.Equal("M_FORBIDDEN", (await Json(again))["errcode"]!.GetValue<string>());
        Assert.DoesNotContain(await alice.StateAsync(roomId), line => line == $"m.room.member|@yan:joiner.test|{join.EventId}");
    }
}
