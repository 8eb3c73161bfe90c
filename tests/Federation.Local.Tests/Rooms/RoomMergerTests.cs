using System.Text.Json.Nodes;
using Federation.Ingest;
using Federation.Ingest.Remote;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Local.Tests.Rooms;

/// <summary>Alice's room with Zoe of a remote server, forked: Zoe wrote on the room as it was before Alice's last message.</summary>
public sealed class RoomMergerTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_forked_room_gets_one_dummy_event_citing_both_tips_and_is_left_with_one_extremity()
    {
        var (harness, remote, roomId) = await SetUpAsync("forked");
        await using var _ = harness;
        await using var __ = remote;
        var fork = await ForkAsync(harness, remote, roomId);
        var tips = await harness.Get<DagStore>().GetForwardExtremitiesAsync(roomId);
        Assert.Equal(2, tips.Count);
        Assert.Contains(fork.EventId, tips);

        var merge = await harness.Get<RoomMerger>().MergeAsync(roomId, CancellationToken.None);

        var sent = Assert.Single(merge.Sent);
        Assert.Equal(tips.Order(StringComparer.Ordinal), sent.PrevEvents.Order(StringComparer.Ordinal));
        Assert.Equal(tips.Order(StringComparer.Ordinal), merge.ExtremitiesBefore.Order(StringComparer.Ordinal));
        Assert.Equal([sent.EventId], merge.ExtremitiesAfter);
        var stored = Assert.Single(await harness.Get<DagStore>().GetEventsAsync(roomId, [sent.EventId]));
        Assert.Equal(RoomMerger.DummyEventType, stored.Pdu.Type);
        Assert.Equal(harness.User("alice"), stored.Pdu.Sender);
        Assert.Equal(EventStatus.Accepted, stored.Status);
        Assert.Contains(
            await harness.Get<OutboundPdus>().PeekAsync(remote.ServerName, 100, CancellationToken.None), row => row.EventId == sent.EventId);
    }

    [Fact]
    public async Task A_room_with_one_extremity_is_left_as_it_is()
    {
        var (harness, remote, roomId) = await SetUpAsync("linear");
        await using var _ = harness;
        await using var __ = remote;
        var tips = await harness.Get<DagStore>().GetForwardExtremitiesAsync(roomId);

        var merge = await harness.Get<RoomMerger>().MergeAsync(roomId, CancellationToken.None);

        Assert.Empty(merge.Sent);
        Assert.Equal(tips, merge.ExtremitiesAfter);
    }

    [Fact]
    public async Task A_room_no_local_user_is_joined_to_cannot_be_merged_from_here()
    {
        var (harness, remote, roomId) = await SetUpAsync("left");
        await using var _ = harness;
        await using var __ = remote;
        await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Member, harness.User("alice"), new JsonObject { ["membership"] = "leave" }, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<MatrixException>(() => harness.Get<RoomMerger>().MergeAsync(roomId, CancellationToken.None));

        Assert.Equal(403, refused.StatusCode);
        Assert.Equal(ErrorCode.Forbidden, refused.ErrorCode);
    }

    private async Task<(LocalHarness Harness, LoopbackRemote Remote, string RoomId)> SetUpAsync(string name)
    {
        var remote = await LoopbackRemote.StartAsync("zoe-" + name + ".test");
        var harness = new LocalHarness(database.ConnectionString, "merger-" + name + ".test", new Dictionary<string, string?>([remote.Destination()]));
        var roomId = await harness.Get<RoomCreator>().CreateAsync(
            harness.User("alice"), new CreateRoomRequest { Preset = "public_chat" }, CancellationToken.None);
        await RemoteMembers.JoinAsync(harness, remote.Identity, roomId, "zoe");
        return (harness, remote, roomId);
    }

    /// <summary>Zoe's message drafted on the room before Alice's last message, and received after it.</summary>
    private static async Task<Pdu> ForkAsync(LocalHarness harness, LoopbackRemote remote, string roomId)
    {
        var zoe = $"@zoe:{remote.ServerName}";
        var draft = await harness.Get<LocalEventBuilder>().DraftAsync(
            roomId, zoe, EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "meanwhile" }, CancellationToken.None);
        draft.Json.Remove("origin");
        var message = EventSealing.Seal(draft.Json, draft.Version, remote.Identity);
        await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "hello" }, CancellationToken.None);
        var outcomes = await harness.Get<PduIngestor>().ProcessPulledAsync(remote.ServerName, [new VerifiedEvent(message, null)], CancellationToken.None);
        Assert.Equal(PduDisposition.Accepted, Assert.Single(outcomes).Outcome.Disposition);
        return message;
    }
}
