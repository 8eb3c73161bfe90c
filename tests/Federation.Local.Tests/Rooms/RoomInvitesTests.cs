using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Local.Tests.Rooms;

/// <summary>Inviting a remote user: what of the invitee server's answer is taken (its signature only) and what is refused.</summary>
public sealed class RoomInvitesTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private async Task<(LocalHarness Harness, LoopbackRemote Remote, string RoomId)> SetUpAsync(string name, string version)
    {
        var remote = await LoopbackRemote.StartAsync("invitee-" + name);
        var harness = new LocalHarness(database.ConnectionString, "inviter-" + name, new Dictionary<string, string?>([remote.Destination()]));
        var roomId = await harness.Get<RoomCreator>().CreateAsync(
            harness.User("alice"), new CreateRoomRequest { RoomVersion = version, Preset = "private_chat" }, CancellationToken.None);
        return (harness, remote, roomId);
    }

    /// <summary>Answers an invite with <paramref name="change"/> applied to the event, then signed by the remote.</summary>
    private static Func<HttpContext, Task<IResult>> SignAfter(LoopbackRemote remote, Action<JsonObject> change) => async context =>
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var invite = body["event"]!.AsObject();
        change(invite);
        var signed = EventSealing.Seal(invite, RoomVersion.Get(body["room_version"]!.GetValue<string>()), remote.Identity);
        var answer = JsonNode.Parse(signed.Json.GetRawText())!.AsObject();
        answer["unsigned"] = new JsonObject { ["invite_room_state"] = new JsonArray(), ["extra"] = "not ours" };
        answer["signatures"]!["third.test"] = new JsonObject { ["ed25519:x"] = "c2lnbmF0dXJl" };
        return Results.Text(new JsonObject { ["event"] = answer }.ToJsonString(), "application/json");
    };

    [Theory]
    [InlineData("1")]
    [InlineData("10")]
    [InlineData("12")]
    public async Task Only_the_invitee_servers_verified_signature_is_taken_from_its_answer(string version)
    {
        var (harness, remote, roomId) = await SetUpAsync("honest" + version, version);
        await using var ownedHarness = harness;
        await using var ownedRemote = remote;
        remote.Handler = SignAfter(remote, _ => { });
        var bob = "@bob:" + remote.ServerName;

        var invite = await harness.Get<RoomInvites>().InviteAsync(roomId, harness.User("alice"), bob, isDirect: false, CancellationToken.None);

        var stored = (await harness.Get<DagStore>().GetEventsAsync([invite.EventId])).Single().Pdu;
        Assert.False(stored.Json.TryGetProperty("unsigned", out _));
        Assert.Equal(
            new[] { harness.Identity.ServerName, remote.ServerName }.Order(StringComparer.Ordinal),
            stored.Json.GetProperty("signatures").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var keyId = remote.Identity.SigningKey.KeyId;
        Assert.True(EventSigning.VerifySignature(stored, remote.ServerName, keyId, remote.Identity.SigningKey.PublicKey));
        Assert.Equal("invite", await harness.Get<LocalRooms>().MembershipAsync(roomId, bob, CancellationToken.None));
    }

    [Fact]
    public async Task An_invitee_server_answering_with_another_event_under_our_v1_id_is_refused_and_nothing_is_stored()
    {
        var (harness, remote, roomId) = await SetUpAsync("swap", "1");
        await using var ownedHarness = harness;
        await using var ownedRemote = remote;
        remote.Handler = SignAfter(remote, invite => invite["content"]!["displayname"] = "Mallory");
        var bob = "@bob:" + remote.ServerName;

        var refused = await Assert.ThrowsAsync<MatrixException>(() =>
            harness.Get<RoomInvites>().InviteAsync(roomId, harness.User("alice"), bob, isDirect: false, CancellationToken.None));

        Assert.Equal(502, refused.StatusCode);
        Assert.Null(await harness.Get<LocalRooms>().MembershipAsync(roomId, bob, CancellationToken.None));
    }

    [Fact]
    public async Task An_invitee_server_answering_with_a_json_array_is_that_server_failing_not_an_internal_error()
    {
        var (harness, remote, roomId) = await SetUpAsync("array", "10");
        await using var ownedHarness = harness;
        await using var ownedRemote = remote;
        remote.Handler = _ => Task.FromResult(Results.Text("[]", "application/json"));

        var refused = await Assert.ThrowsAsync<MatrixException>(() =>
            harness.Get<RoomInvites>().InviteAsync(roomId, harness.User("alice"), "@bob:" + remote.ServerName, isDirect: false, CancellationToken.None));

        Assert.Equal((ErrorCode.Unknown, 502), (refused.ErrorCode, refused.StatusCode));
    }
}
