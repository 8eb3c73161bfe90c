using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Joins;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Federation.Testing.Events;

namespace Federation.Local.Tests.Joins;

/// <summary>What a joining server accepts from a resident's send_join answer, and what it refuses.</summary>
public sealed class SendJoinResponseVerifierTests
{
    private readonly ServerIdentity _resident = new("resident.test", SigningKey.Generate("r"));
    private readonly ServerIdentity _joiner = new("joiner.test", SigningKey.Generate("j"));

    private (SignedRoomBuilder Room, Pdu Join) Room(string version)
    {
        var room = new SignedRoomBuilder(RoomVersion.Get(version), _resident, _joiner).CreatePublicRoom("@alice:resident.test");
        room.Message("@alice:resident.test", "before the join");
        var json = new JsonObject
        {
            ["type"] = EventTypes.Member,
            ["state_key"] = "@bob:joiner.test",
            ["sender"] = "@bob:joiner.test",
            ["room_id"] = room.RoomId,
            ["content"] = new JsonObject { ["membership"] = "join" },
            ["prev_events"] = new JsonArray(room.Last.EventId),
            ["auth_events"] = new JsonArray([.. room.State.Values
                .Where(e => e.Type is EventTypes.PowerLevels or EventTypes.JoinRules || (e.IsCreateEvent && !room.Version.RoomIdIsCreateEventHash))
                .Select(e => (JsonNode)e.EventId)]),
            ["depth"] = room.Last.Depth + 1,
            ["origin_server_ts"] = 1_700_000_100_000,
        };
        if (room.Version.UsesEventReferencePairs)
        {
            json["prev_events"] = new JsonArray(new JsonArray(room.Last.EventId, new JsonObject { ["sha256"] = "x" }));
            json["auth_events"] = new JsonArray([.. json["auth_events"]!.AsArray().Select(id => (JsonNode)new JsonArray(id!.GetValue<string>(), new JsonObject()))]);
        }

        return (room, EventSealing.Seal(json, room.Version, _joiner));
    }

    private static JsonElement Answer(IEnumerable<Pdu> state, IEnumerable<Pdu> authChain) =>
        JsonSigning.ToElement(new JsonObject
        {
            ["state"] = new JsonArray([.. state.Select(e => JsonNode.Parse(e.Json.GetRawText()))]),
            ["auth_chain"] = new JsonArray([.. authChain.Select(e => JsonNode.Parse(e.Json.GetRawText()))]),
        });

    private SendJoinResponseVerifier Verifier() => new(new StaticServerKeys(_resident, _joiner));

    [Theory]
    [InlineData("1")]
    [InlineData("10")]
    [InlineData("12")]
    public async Task A_truthful_answer_is_accepted_with_its_state_as_the_state_before_the_join(string version)
    {
        var (room, join) = Room(version);

        var (verified, failure) = await Verifier().VerifyAsync(room.RoomId, room.Version, join, Answer(room.State.Values, room.State.Values), CancellationToken.None);

        Assert.Null(failure);
        Assert.Equal(room.State.Count, verified!.StateBefore.Count);
        Assert.All(verified.Outliers, o => Assert.Equal(EventStatus.Accepted, o.Status));
        Assert.Equal(room.State[(EventTypes.Create, "")].EventId, verified.StateBefore[new StateSlot(EventTypes.Create, "")]);
    }

    [Fact]
    public async Task An_answer_without_the_create_event_is_refused()
    {
        var (room, join) = Room("10");
        var withoutCreate = room.State.Values.Where(e => !e.IsCreateEvent).ToArray();

        var (verified, failure) = await Verifier().VerifyAsync(room.RoomId, room.Version, join, Answer(withoutCreate, withoutCreate), CancellationToken.None);

        Assert.Null(verified);
        Assert.NotNull(failure);
    }

    [Fact]
    public async Task An_event_signed_by_an_unknown_key_is_dropped_and_the_join_then_lacks_its_auth_state()
    {
        var (room, join) = Room("10");
        var impostor = new ServerIdentity("resident.test", SigningKey.Generate("forged"));
        var forgedRules = JsonNode.Parse(room.State[(EventTypes.JoinRules, "")].Json.GetRawText())!.AsObject();
        forgedRules.Remove("signatures");
        var forged = EventSealing.Seal(forgedRules, room.Version, impostor);
        var state = room.State.Values.Where(e => e.Type != EventTypes.JoinRules).Append(forged).ToArray();

        var (verified, failure) = await Verifier().VerifyAsync(room.RoomId, room.Version, join, Answer(state, state), CancellationToken.None);

        Assert.Null(verified);
        Assert.Contains("join", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_event_of_another_room_version_is_refused()
    {
        var (room, join) = Room("10");

        var (verified, failure) = await Verifier().VerifyAsync(room.RoomId, RoomVersion.Get("9"), join, Answer(room.State.Values, room.State.Values), CancellationToken.None);

        Assert.Null(verified);
        Assert.Contains("room version", failure, StringComparison.Ordinal);
    }
}
