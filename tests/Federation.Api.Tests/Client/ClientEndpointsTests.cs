using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Client;

/// <summary>The Client-Server endpoints of the local side on one of our servers over loopback HTTP.</summary>
public sealed class ClientEndpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IDisposable
{
    private readonly FederationServerFactory _server = Configured(new FederationServerFactory(database, "client.test").OverLoopback());

    public void Dispose() => _server.Dispose();

    private static FederationServerFactory Configured(FederationServerFactory server)
    {
        ClientSession.Configure(server);
        return server;
    }

    private static async Task<(HttpStatusCode Status, string? ErrCode, JsonNode? Body)> Error(HttpResponseMessage response)
    {
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body?["errcode"]?.GetValue<string>(), body);
    }

    private static string Room(string roomId) => "/_matrix/client/v3/rooms/" + Uri.EscapeDataString(roomId);

    [Fact]
    public async Task Versions_are_served_without_a_token()
    {
        using var http = _server.CreateClient();

        var versions = await ClientSession.Body(await http.GetAsync("/_matrix/client/versions"));

        Assert.Contains("v1.12", versions["versions"]!.AsArray().Select(v => v!.GetValue<string>()));
    }

    [Fact]
    public async Task Shared_secret_registration_returns_a_token_that_whoami_accepts_as_header_and_query_parameter()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "reg-alice");
        using var anonymous = _server.CreateClient();

        var whoami = await alice.GetAsync("/_matrix/client/v3/account/whoami");
        var byQuery = await ClientSession.Body(await anonymous.GetAsync("/_matrix/client/v3/account/whoami?access_token=" + Uri.EscapeDataString(alice.AccessToken)));

        Assert.Equal("@reg-alice:client.test", whoami["user_id"]!.GetValue<string>());
        Assert.Equal(alice.DeviceId, whoami["device_id"]!.GetValue<string>());
        Assert.Equal("@reg-alice:client.test", byQuery["user_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_and_unknown_tokens_are_401_with_their_errcodes()
    {
        using var http = _server.CreateClient();
        var missing = await Error(await http.GetAsync("/_matrix/client/v3/account/whoami"));
        http.DefaultRequestHeaders.Authorization = new("Bearer", "fed_not-a-token");
        var unknown = await Error(await http.GetAsync("/_matrix/client/v3/account/whoami"));

        Assert.Equal((HttpStatusCode.Unauthorized, "M_MISSING_TOKEN"), (missing.Status, missing.ErrCode));
        Assert.Equal((HttpStatusCode.Unauthorized, "M_UNKNOWN_TOKEN"), (unknown.Status, unknown.ErrCode));
    }

    [Fact]
    public async Task Registration_refuses_a_wrong_mac_a_reused_nonce_a_taken_name_and_the_open_register_endpoint()
    {
        using var http = _server.CreateClient();
        var wrongMac = await Error(await ClientSession.RegisterRawAsync(http, "mallory", "pw", admin: false, "not-the-secret"));
        using var first = await ClientSession.RegisterAsync(_server, "taken");
        var taken = await Error(await ClientSession.RegisterRawAsync(http, "taken", "password-taken", admin: false, ClientSession.SharedSecret));
        var open = await Error(await http.PostAsJsonAsync("/_matrix/client/v3/register", new { username = "x", password = "y" }));

        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (wrongMac.Status, wrongMac.ErrCode));
        Assert.Equal((HttpStatusCode.BadRequest, "M_USER_IN_USE"), (taken.Status, taken.ErrCode));
        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (open.Status, open.ErrCode));

        var nonce = (await ClientSession.Body(await http.GetAsync("/_synapse/admin/v1/register")))["nonce"]!.GetValue<string>();
        var bogus = new { nonce, username = "n1", password = "pw", admin = false, mac = "00" };
        _ = await http.PostAsJsonAsync("/_synapse/admin/v1/register", bogus);
        var reused = await Error(await http.PostAsJsonAsync("/_synapse/admin/v1/register", bogus));
        Assert.Equal(HttpStatusCode.BadRequest, reused.Status);
    }

    [Fact]
    public async Task Registration_without_a_configured_secret_is_403()
    {
        using var server = new FederationServerFactory(database, "closed.test").OverLoopback();
        using var http = server.CreateClient();

        var nonce = await Error(await http.GetAsync("/_synapse/admin/v1/register"));

        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (nonce.Status, nonce.ErrCode));
    }

    [Fact]
    public async Task Password_login_gives_a_new_device_whose_token_works()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "login-alice");
        using var http = _server.CreateClient();

        var login = await ClientSession.Body(await http.PostAsJsonAsync("/_matrix/client/v3/login", new
        {
            type = "m.login.password",
            identifier = new { type = "m.id.user", user = "login-alice" },
            password = "password-login-alice",
        }));
        var wrong = await Error(await http.PostAsJsonAsync("/_matrix/client/v3/login", new { type = "m.login.password", user = "login-alice", password = "nope" }));
        http.DefaultRequestHeaders.Authorization = new("Bearer", login["access_token"]!.GetValue<string>());
        var whoami = await ClientSession.Body(await http.GetAsync("/_matrix/client/v3/account/whoami"));

        Assert.NotEqual(alice.DeviceId, login["device_id"]!.GetValue<string>());
        Assert.Equal(alice.UserId, whoami["user_id"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (wrong.Status, wrong.ErrCode));
    }

    [Fact]
    public async Task CreateRoom_sends_the_standard_initial_events_with_the_overrides_and_initial_state()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "create-alice");
        var roomId = await alice.CreateRoomAsync(new
        {
            preset = "private_chat",
            name = "Room",
            topic = "About",
            initial_state = new object[] { new { type = "m.room.history_visibility", state_key = "", content = new { history_visibility = "joined" } } },
            power_level_content_override = new { events_default = 10 },
        });

        var state = await alice.StateAsync(roomId);
        var types = state.Select(s => s.Split('|')[0]).ToHashSet();
        var powerLevels = await alice.GetAsync(Room(roomId) + "/state/m.room.power_levels/");
        var visibility = await alice.GetAsync(Room(roomId) + "/state/m.room.history_visibility");
        var joinRules = await alice.GetAsync(Room(roomId) + "/state/m.room.join_rules");

        Assert.Superset(
            new HashSet<string> { "m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules", "m.room.history_visibility", "m.room.guest_access", "m.room.name", "m.room.topic" },
            types);
        Assert.Equal(10, powerLevels["events_default"]!.GetValue<int>());
        Assert.Equal(100, powerLevels["users"]![alice.UserId]!.GetValue<int>());
        Assert.Equal("joined", visibility["history_visibility"]!.GetValue<string>());
        Assert.Equal("invite", joinRules["join_rule"]!.GetValue<string>());
    }

    [Fact]
    public async Task Send_with_the_same_transaction_id_gives_the_same_event_and_another_id_a_new_one()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "send-alice");
        var roomId = await alice.CreateRoomAsync(new { });

        var first = await alice.SendMessageAsync(roomId, "once", "txn1");
        var retry = await alice.SendMessageAsync(roomId, "once", "txn1");
        var other = await alice.SendMessageAsync(roomId, "twice", "txn2");
        var stored = await alice.GetAsync(Room(roomId) + "/event/" + Uri.EscapeDataString(first));

        Assert.Equal(first, retry);
        Assert.NotEqual(first, other);
        Assert.Equal("once", stored["content"]!["body"]!.GetValue<string>());
        Assert.Equal([other], await alice.ExtremitiesAsync(roomId));
    }

    [Fact]
    public async Task Reading_state_requires_being_joined_and_unknown_state_is_404()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "read-alice");
        using var eve = await ClientSession.RegisterAsync(_server, "read-eve");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });

        var outsider = await Error(await eve.Http.GetAsync(Room(roomId) + "/state"));
        var outsiderExtremities = await Error(await eve.Http.GetAsync(
            "/_matrix/client/unstable/org.example.federation/rooms/" + Uri.EscapeDataString(roomId) + "/extremities"));
        var missing = await Error(await alice.Http.GetAsync(Room(roomId) + "/state/m.room.avatar/"));
        var notAMemberSends = await Error(await eve.Http.PutAsJsonAsync(Room(roomId) + "/send/m.room.message/t1", new { body = "x" }));

        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (outsider.Status, outsider.ErrCode));
        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (outsiderExtremities.Status, outsiderExtremities.ErrCode));
        Assert.Equal((HttpStatusCode.NotFound, "M_NOT_FOUND"), (missing.Status, missing.ErrCode));
        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (notAMemberSends.Status, notAMemberSends.ErrCode));
    }

    [Fact]
    public async Task Invite_join_state_put_and_leave_work_for_local_users()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "member-alice");
        using var bob = await ClientSession.RegisterAsync(_server, "member-bob");
        var roomId = await alice.CreateRoomAsync(new { preset = "private_chat" });

        var refused = await Error(await bob.Http.PostAsJsonAsync("/_matrix/client/v3/join/" + Uri.EscapeDataString(roomId), new { }));
        await alice.PostAsync(Room(roomId) + "/invite", new { user_id = bob.UserId });
        var joined = await bob.PostAsync(Room(roomId) + "/join", new { });
        var bobsTopic = await Error(await bob.Http.PutAsJsonAsync(Room(roomId) + "/state/m.room.topic", new { topic = "bob was here" }));
        var topic = await alice.PutAsync(Room(roomId) + "/state/m.room.topic", new { topic = "alice was here" });
        var custom = await alice.PutAsync(Room(roomId) + "/state/org.example.custom/key", new { value = 1 });
        await bob.PostAsync(Room(roomId) + "/leave", new { });
        var afterLeave = await Error(await bob.Http.GetAsync(Room(roomId) + "/state"));

        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (refused.Status, refused.ErrCode));
        Assert.Equal(roomId, joined["room_id"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (bobsTopic.Status, bobsTopic.ErrCode));
        Assert.StartsWith("$", topic["event_id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"org.example.custom|key|{custom["event_id"]!.GetValue<string>()}", await alice.StateAsync(roomId));
        Assert.Contains($"m.room.member|{bob.UserId}|", string.Join('\n', await alice.StateAsync(roomId)), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Forbidden, "M_FORBIDDEN"), (afterLeave.Status, afterLeave.ErrCode));
    }

    [Fact]
    public async Task Extremities_endpoint_lists_extremities_and_no_holes_for_a_local_room()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "ops-alice");
        var roomId = await alice.CreateRoomAsync(new { });
        var message = await alice.SendMessageAsync(roomId, "tip");

        var answer = await alice.GetAsync("/_matrix/client/unstable/org.example.federation/rooms/" + Uri.EscapeDataString(roomId) + "/extremities");

        Assert.Equal([message], answer["forward_extremities"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Empty(answer["missing_events"]!.AsArray());
    }

    [Fact]
    public async Task CreateRoom_with_an_unknown_room_version_is_400_M_UNSUPPORTED_ROOM_VERSION()
    {
        using var alice = await ClientSession.RegisterAsync(_server, "version-alice");

        var error = await Error(await alice.Http.PostAsJsonAsync("/_matrix/client/v3/createRoom", new { room_version = "99" }));

        Assert.Equal((HttpStatusCode.BadRequest, "M_UNSUPPORTED_ROOM_VERSION"), (error.Status, error.ErrCode));
    }
}
