using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Resync.Core.Fingerprints;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Rooms;

/// <summary>Remote servers on loopback ask our server for its MSC4500 state fingerprints, over signed requests.</summary>
public sealed class StateAccumulatorEndpointsTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database, "remote.test", "stranger.test"), IClassFixture<PostgresDatabaseFixture>
{
    private Pdu? _topic;
    private Pdu? _message;

    private FakeHomeserver Stranger => Remotes[1];

    protected override Task ExtendRoomAsync(SignedRoomBuilder room)
    {
        _topic = room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "t" });
        _message = room.Message("@bob:test.example", "after the topic");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task State_accumulator_answers_the_lattice_digest_and_count_of_the_state_after_the_event()
    {
        var (status, body) = await GetAsync(Remote, Accumulator(_topic!.EventId));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(_topic.EventId, body.GetProperty("event_id").GetString());
        Assert.Equal("lthash16", body.GetProperty("algorithm").GetString());
        var lattice = Base64Url.DecodeFromChars(body.GetProperty("lattice").GetString());
        Assert.Equal(StateLattice.FromBytes(lattice).Digest().ToString(), body.GetProperty("digest").GetString());

        var stateAfter = (await Store.GetStateAsync(Room.RoomId, _topic.EventId, StatePosition.After))!;
        var expected = StateAccumulator.Of(stateAfter.Select(e => new StateEntry(e.Key.Type, e.Key.StateKey, e.Value))).Fingerprint();
        Assert.Equal(expected.Digest.ToString(), body.GetProperty("digest").GetString());
        Assert.Equal(expected.Count, body.GetProperty("n_state_events").GetInt64());
        Assert.Contains(_topic.EventId, stateAfter.Values);
    }

    [Fact]
    public async Task State_digest_answers_the_current_state_and_each_extremity()
    {
        var (status, body) = await GetAsync(Remote, $"/_matrix/federation/unstable/org.example.federation/state_digest/{Escaped(Room.RoomId)}");

        Assert.Equal(HttpStatusCode.OK, status);
        var after = await Store.GetStateFingerprintAsync(Room.RoomId, _message!.EventId, StatePosition.After);
        Assert.Equal(after!.Digest.ToString(), body.GetProperty("digest").GetString());
        var extremity = Assert.Single(body.GetProperty("extremities").EnumerateArray());
        Assert.Equal(_message.EventId, extremity.GetProperty("event_id").GetString());
        Assert.Equal(after.Count, extremity.GetProperty("n_state_events").GetInt64());
    }

    [Theory]
    [InlineData("?event_id=%24unknown", HttpStatusCode.NotFound, "M_NOT_FOUND")]
    [InlineData("", HttpStatusCode.BadRequest, "M_MISSING_PARAM")]
    public async Task State_accumulator_refuses_unknown_events_and_a_missing_event_id(string query, HttpStatusCode expected, string errorCode)
    {
        var (status, body) = await GetAsync(Remote, $"/_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/{Escaped(Room.RoomId)}{query}");

        Assert.Equal(expected, status);
        Assert.Equal(errorCode, body.GetProperty("errcode").GetString());
    }

    [Fact]
    public async Task A_server_without_a_user_in_the_room_is_refused_like_for_state_ids()
    {
        var (accumulator, body) = await GetAsync(Stranger, Accumulator(_topic!.EventId));
        var (stateIds, _) = await GetAsync(Stranger, $"/_matrix/federation/v1/state_ids/{Escaped(Room.RoomId)}?event_id={Escaped(_topic.EventId)}");
        var (digest, _) = await GetAsync(Stranger, $"/_matrix/federation/unstable/org.example.federation/state_digest/{Escaped(Room.RoomId)}");

        Assert.Equal(HttpStatusCode.Forbidden, accumulator);
        Assert.Equal("M_FORBIDDEN", body.GetProperty("errcode").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, stateIds);
        Assert.Equal(HttpStatusCode.Forbidden, digest);
    }

    private string Accumulator(string eventId) =>
        $"/_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/{Escaped(Room.RoomId)}?event_id={Escaped(eventId)}";

    private async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(FakeHomeserver from, string pathAndQuery)
    {
        using var client = Server.CreateClient();
        var response = await from.SendSignedAsync(client, client.BaseAddress!, "test.example", HttpMethod.Get, pathAndQuery, null);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private static string Escaped(string id) => Uri.EscapeDataString(id);
}
