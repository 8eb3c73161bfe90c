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

        var (verified, failure) = await Verifier().VerifyAsync(_resident.ServerName, room.RoomId, room.Version, join, Answer(room.State.Values, room.State.Values), CancellationToken.None);

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

        var (verified, failure) = await Verifier().VerifyAsync(_resident.ServerName, room.RoomId, room.Version, join, Answer(withoutCreate, withoutCreate), CancellationToken.None);

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

        var (verified, failure) = await Verifier().VerifyAsync(_resident.ServerName, room.RoomId, room.Version, join, Answer(state, state), CancellationToken.None);

        Assert.Null(verified);
        Assert.Contains("join", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_create_event_of_another_room_version_is_refused()
    {
        var (room, join) = Room("10");

        var (verified, failure) = await Verifier().VerifyAsync(_resident.ServerName, room.RoomId, RoomVersion.Get("9"), join, Answer(room.State.Values, room.State.Values), CancellationToken.None);

        Assert.Null(verified);
        Assert.Contains("room version", failure, StringComparison.Ordinal);
    }

    /// <summary>The resident's copy of our join: <paramref name="change"/> applied, signed by the resident, with extras around.</summary>
    private JsonElement AnswerWithEvent(SignedRoomBuilder room, Pdu join, Action<JsonObject> change)
    {
        var copy = JsonNode.Parse(join.Json.GetRawText())!.AsObject();
        change(copy);
        var signed = JsonNode.Parse(EventSealing.Seal(copy, room.Version, _resident).Json.GetRawText())!.AsObject();
        signed["unsigned"] = new JsonObject { ["age"] = 5 };
        signed["signatures"]!["third.test"] = new JsonObject { ["ed25519:x"] = "c2lnbmF0dXJl" };
        var answer = JsonNode.Parse(Answer(room.State.Values, room.State.Values).GetRawText())!.AsObject();
        answer["event"] = signed;
        return JsonSigning.ToElement(answer);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("10")]
    [InlineData("12")]
    public async Task Only_the_residents_verified_signature_is_taken_from_its_copy_of_the_join(string version)
    {
        var (room, join) = Room(version);

        var (verified, failure) = await Verifier().VerifyAsync(
            _resident.ServerName, room.RoomId, room.Version, join, AnswerWithEvent(room, join, _ => { }), CancellationToken.None);

        Assert.Null(failure);
        var kept = verified!.Join;
        Assert.Equal(join.EventId, kept.EventId);
        Assert.False(kept.Json.TryGetProperty("unsigned", out _));
        Assert.Equal(
            new[] { _joiner.ServerName, _resident.ServerName }.Order(StringComparer.Ordinal),
            kept.Json.GetProperty("signatures").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.True(EventSigning.VerifySignature(kept, _resident.ServerName, _resident.SigningKey.KeyId, _resident.SigningKey.PublicKey));
    }

    [Fact]
    public async Task A_resident_copy_of_a_v1_join_with_other_content_under_our_id_is_ignored_and_our_join_kept()
    {
        var (room, join) = Room("1");

        var (verified, failure) = await Verifier().VerifyAsync(
            _resident.ServerName, room.RoomId, room.Version, join,
            AnswerWithEvent(room, join, copy => copy["content"]!["displayname"] = "Mallory"),
            CancellationToken.None);

        Assert.Null(failure);
        Assert.Equal(join.EventId, verified!.Join.EventId);
        Assert.False(verified.Join.Content.TryGetProperty("displayname", out _));
        Assert.Equal(join.Json.GetRawText(), verified.Join.Json.GetRawText());
    }
}
