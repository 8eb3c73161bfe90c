using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Local.Tests.Events;

/// <summary>Local events of every room version, built on the real store: ids, room ids, references, depth, signatures, auth.</summary>
public sealed class LocalEventBuilderTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    public static TheoryData<string> Versions() => [.. RoomVersion.All.Select(v => v.Id)];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task CreateAsync_in_a_new_room_builds_a_signed_event_on_the_extremity_with_the_selected_auth_events(string versionId)
    {
        await using var harness = new LocalHarness(database.ConnectionString);
        var store = harness.Get<DagStore>();
        var alice = harness.User("alice");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(
            alice, new CreateRoomRequest { RoomVersion = versionId, Preset = "public_chat", Name = "Test" }, CancellationToken.None);
        var before = await store.GetForwardExtremitiesAsync(roomId);

        var message = await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, alice, EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "hi" }, CancellationToken.None);

        var version = RoomVersion.Get(versionId);
        Assert.Equal(roomId, message.RoomId);
        Assert.Equal(before, message.PrevEvents);
        Assert.Equal([message.EventId], await store.GetForwardExtremitiesAsync(roomId));
        var prev = (await store.GetEventsAsync([before[0]])).Single();
        Assert.Equal(prev.Pdu.Depth + 1, message.Depth);
        Assert.True(EventSigning.HasValidContentHash(message));
        Assert.True(EventSigning.VerifySignature(message, harness.Identity.ServerName, harness.Identity.SigningKey.KeyId, harness.Identity.SigningKey.PublicKey));
        Assert.Equal(EventStatus.Accepted, (await store.GetEventsAsync([message.EventId])).Single().Status);

        var state = await store.GetStateAsync(roomId, message.EventId, StatePosition.Before);
        var expectedAuth = new List<string> { state![new StateSlot(EventTypes.PowerLevels, "")], state[new StateSlot(EventTypes.Member, alice)] };
        var create = state[new StateSlot(EventTypes.Create, "")];
        if (!version.RoomIdIsCreateEventHash)
        {
            expectedAuth.Add(create);
        }

        Assert.Equal(expectedAuth.Order(StringComparer.Ordinal), message.AuthEvents.Order(StringComparer.Ordinal));
        if (version.RoomIdIsCreateEventHash)
        {
            Assert.Equal("!" + create[1..], roomId);
            Assert.False((await store.GetEventsAsync([create])).Single().Pdu.Json.TryGetProperty("room_id", out _));
        }
        else
        {
            Assert.EndsWith(":" + harness.Identity.ServerName, roomId, StringComparison.Ordinal);
        }

        if (version.UsesEventReferencePairs)
        {
            Assert.EndsWith(":" + harness.Identity.ServerName, message.EventId, StringComparison.Ordinal);
            Assert.Equal(JsonValueKind.Array, message.Json.GetProperty("prev_events")[0].ValueKind);
        }
        else
        {
            Assert.DoesNotContain(':', message.EventId);
            Assert.Equal(Pdu.EventIdFromReferenceHash(EventHashes.ReferenceHash(message.Json, version), version), message.EventId);
        }
    }

    [Fact]
    public async Task CreateAsync_refuses_what_the_auth_rules_refuse_with_403_and_stores_nothing()
    {
        await using var harness = new LocalHarness(database.ConnectionString);
        var store = harness.Get<DagStore>();
        var alice = harness.User("alice");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(alice, new CreateRoomRequest { Preset = "private_chat" }, CancellationToken.None);
        var before = await store.GetForwardExtremitiesAsync(roomId);
        var builder = harness.Get<LocalEventBuilder>();

        var outsider = await Assert.ThrowsAsync<MatrixException>(() => builder.CreateAsync(
            roomId, harness.User("bob"), EventTypes.Message, null, new JsonObject { ["body"] = "let me in" }, CancellationToken.None));
        var uninvitedJoin = await Assert.ThrowsAsync<MatrixException>(() => builder.CreateAsync(
            roomId, harness.User("bob"), EventTypes.Member, harness.User("bob"), new JsonObject { ["membership"] = "join" }, CancellationToken.None));

        Assert.Equal((ErrorCode.Forbidden, 403), (outsider.ErrorCode, outsider.StatusCode));
        Assert.Equal((ErrorCode.Forbidden, 403), (uninvitedJoin.ErrorCode, uninvitedJoin.StatusCode));
        Assert.Equal(before, await store.GetForwardExtremitiesAsync(roomId));
    }

    [Fact]
    public async Task CreateAsync_after_an_invite_lets_the_invitee_join_an_invite_only_room()
    {
        await using var harness = new LocalHarness(database.ConnectionString);
        var alice = harness.User("alice");
        var bob = harness.User("bob");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(
            alice, new CreateRoomRequest { Preset = "private_chat", Invite = [bob] }, CancellationToken.None);

        var join = await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, bob, EventTypes.Member, bob, new JsonObject { ["membership"] = "join" }, CancellationToken.None);

        Assert.Equal("join", await harness.Get<LocalRooms>().MembershipAsync(roomId, bob, CancellationToken.None));
        Assert.Equal([join.EventId], await harness.Get<DagStore>().GetForwardExtremitiesAsync(roomId));
    }

    [Fact]
    public async Task CreateAsync_of_concurrent_events_in_one_room_builds_a_line_not_a_fork()
    {
        await using var harness = new LocalHarness(database.ConnectionString);
        var alice = harness.User("alice");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(alice, new CreateRoomRequest(), CancellationToken.None);
        var builder = harness.Get<LocalEventBuilder>();

        var events = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => builder.CreateAsync(
            roomId, alice, EventTypes.Message, null, new JsonObject { ["body"] = $"m{i}" }, CancellationToken.None)));

        Assert.Single(await harness.Get<DagStore>().GetForwardExtremitiesAsync(roomId));
        Assert.Equal(8, events.Select(e => e.Depth).Distinct().Count());
    }
}
