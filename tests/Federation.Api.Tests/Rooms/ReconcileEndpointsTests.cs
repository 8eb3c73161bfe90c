using System.Net;
using System.Text.Json;
using Federation.Client.Reconciliation;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Rooms;

/// <summary>Remote servers reconcile their copy of a room with ours through the unstable endpoint.</summary>
public sealed class ReconcileEndpointsTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database, "remote.test", "stranger.test"), IClassFixture<PostgresDatabaseFixture>
{
    private FakeHomeserver Stranger => Remotes[1];

    protected override Task ExtendRoomAsync(SignedRoomBuilder room)
    {
        for (var i = 0; i < 60; i++)
        {
            room.Message("@alice:remote.test", $"message {i}");
        }

        return Task.CompletedTask;
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(FakeHomeserver from, object body, string? roomId = null)
    {
        using var client = Server.CreateClient();
        var response = await from.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Post, ReconcileEndpoint.PathFor(roomId ?? Room.RoomId), JsonSerializer.Serialize(body));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private SortedItems ItemsOf(IEnumerable<Protocol.Events.Pdu> events) =>
        SortedItems.From(events.Select(e => RoomEventItems.For(e.EventId, e.OriginServerTs, Room.Version.EventIdFormat)));

    [Fact]
    public async Task A_member_server_learns_exactly_the_events_it_lacks()
    {
        var held = Room.Events.Where((_, i) => i % 7 != 3).ToList();
        var initiator = new ReconciliationInitiator(ItemsOf(held));
        var message = initiator.Initiate();
        var rounds = 0;
        while (message is not null)
        {
            var (status, body) = await PostAsync(Remote, new { scope = "events", msg = Convert.ToBase64String(message) });
            Assert.Equal(HttpStatusCode.OK, status);
            message = initiator.Reconcile(Convert.FromBase64String(body.GetProperty("msg").GetString()!));
            rounds++;
        }

        var expected = Room.Events.Except(held).Select(e => e.EventId).Order(StringComparer.Ordinal);
        var learnt = initiator.Differences.Need.Select(id => RoomEventItems.EventIdOf(id, EventIdFormat.ReferenceHashUrlSafeBase64)!);
        Assert.Equal(expected, learnt.Order(StringComparer.Ordinal));
        Assert.Empty(initiator.Differences.Have);
        Assert.InRange(rounds, 1, 3);
    }

    [Fact]
    public async Task A_window_limits_the_events_compared()
    {
        var from = Room.Events[10].OriginServerTs;
        var until = Room.Events[20].OriginServerTs;
        var initiator = new ReconciliationInitiator(SortedItems.Empty);
        var (status, body) = await PostAsync(Remote, new
        {
            scope = "events",
            window = new { from_ts = from, until_ts = until },
            msg = Convert.ToBase64String(initiator.Initiate()),
        });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(initiator.Reconcile(Convert.FromBase64String(body.GetProperty("msg").GetString()!)));
        Assert.Equal(10, initiator.Differences.Need.Count);
    }

    [Fact]
    public async Task A_server_with_no_member_in_the_room_is_forbidden()
    {
        var (status, body) = await PostAsync(Stranger, new { scope = "events", msg = "YQ==" });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("M_FORBIDDEN", body.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task An_unknown_room_is_forbidden()
    {
        var (status, _) = await PostAsync(Remote, new { scope = "events", msg = "YQ==" }, "!unknown:test.example");
        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    public static TheoryData<string, HttpStatusCode, string> BadRequests() => new()
    {
        { """{"msg": "YQ=="}""", HttpStatusCode.BadRequest, "M_MISSING_PARAM" },
        { """{"scope": "state", "msg": "YQ=="}""", HttpStatusCode.BadRequest, "M_INVALID_PARAM" },
        { """{"scope": "events"}""", HttpStatusCode.BadRequest, "M_MISSING_PARAM" },
        { """{"scope": "events", "msg": "not base64!"}""", HttpStatusCode.BadRequest, "M_BAD_JSON" },
        { """{"scope": "events", "msg": "YQ==", "window": {"from_ts": 5}}""", HttpStatusCode.BadRequest, "M_BAD_JSON" },
        { """{"scope": "events", "msg": "YQ==", "window": {"from_ts": 5, "until_ts": 4}}""", HttpStatusCode.BadRequest, "M_INVALID_PARAM" },
        { """{"scope": "events", "msg": "YQAH"}""", HttpStatusCode.BadRequest, "M_INVALID_PARAM" },
        { """{"scope": "events", "msg": "AQ=="}""", HttpStatusCode.BadRequest, "M_INVALID_PARAM" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_are_matrix_errors(string json, HttpStatusCode expectedStatus, string errorCode)
    {
        var (status, body) = await PostAsync(Remote, JsonDocument.Parse(json).RootElement);
        Assert.Equal(expectedStatus, status);
        Assert.Equal(errorCode, body.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task A_message_over_the_size_cap_is_refused()
    {
        var (status, body) = await PostAsync(Remote, new { scope = "events", msg = Convert.ToBase64String(new byte[(4 * 1024 * 1024) + 3]) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("M_TOO_LARGE", body.GetProperty("errcode").GetString());
    }
}
