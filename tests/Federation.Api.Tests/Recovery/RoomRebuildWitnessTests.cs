using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Recovery;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests.Recovery;

/// <summary>
/// Rebuilding a room never takes one peer's word: the state at the room's latest event is asked of a second server,
/// and when the two differ the stored state is their resolution, reported as disputed.
/// </summary>
public sealed class RoomRebuildWitnessTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_peer_that_hides_a_ban_is_contradicted_by_the_witness_and_the_ban_stays()
    {
        await using var liar = await FakeHomeserver.StartAsync("liar.test");
        await using var honest = await FakeHomeserver.StartAsync("honest.test");
        using var server = new FederationServerFactory(database, "rebuilt.test");
        var room = new SignedRoomBuilder(RoomVersion.Get("10"), honest.Identity, liar.Identity, server.Identity);
        room.CreatePublicRoom("@bob:honest.test");
        room.Join("@alice:rebuilt.test");
        room.Join("@mallory:liar.test");
        var ban = room.Add("@bob:honest.test", EventTypes.Member, "@mallory:liar.test", new JsonObject { ["membership"] = "ban" });
        var latest = room.Message("@bob:honest.test", "the latest event");
        foreach (var peer in new[] { liar, honest })
        {
            RoomHistoryServer.Serve(peer, room.Version, room.RoomId, room.Events);
            peer.Handle("GET", $"/_matrix/federation/v1/make_join/{room.RoomId}/@alice:rebuilt.test", MakeJoinTemplate(room, latest));
        }

        var stateIds = room.State.Values.Select(p => p.EventId).ToArray();
        liar.Handle("GET", "/_matrix/federation/v1/state_ids/" + room.RoomId, new
        {
            pdu_ids = stateIds.Where(id => id != ban.EventId).Append(room.Events.Single(e => e.StateKey == "@mallory:liar.test" && e.Membership == "join").EventId).ToArray(),
            auth_chain_ids = room.Events.Where(e => e.StateKey is not null).Select(e => e.EventId).ToArray(),
        });
        // The liar is asked first, so its claim is the one the witness must contradict.
        await RecoveryManifestFile.WriteAsync(server.RecoveryManifestPath, new RecoveryManifest("rebuilt.test", 0,
            [new RecoveryManifestRoom(room.RoomId, room.Version.Id, ["liar.test", "honest.test"], ["@alice:rebuilt.test"])]), CancellationToken.None);
        server.OverLoopback();
        server.Settings["FederationClient:Destinations:liar.test"] = liar.BaseAddress.ToString();
        server.Settings["FederationClient:Destinations:honest.test"] = honest.BaseAddress.ToString();
        server.Settings["FederationClient:MaxRetries"] = "0";
        _ = server.CreateClient();

        var recovery = server.Services.GetRequiredService<RoomRecoveryService>();
        await recovery.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var result = recovery.Results[room.RoomId];
        Assert.Equal(RoomRebuildOutcome.Disputed, result.Outcome);
        Assert.Equal([latest.EventId], result.Anchors);
        var store = server.Services.GetRequiredService<DagStore>();
        Assert.Equal([latest.EventId], await store.GetForwardExtremitiesAsync(room.RoomId));
        var current = await new StateCalculator(store).CurrentStateAsync(room.RoomId, room.Version, CancellationToken.None);
        Assert.Equal(ban.EventId, current[EventTypes.Member, "@mallory:liar.test"]);
    }

    [Fact]
    public async Task A_room_no_peer_can_describe_is_reported_failed_and_nothing_is_made_up()
    {
        await using var silent = await FakeHomeserver.StartAsync("silent.test");
        using var server = new FederationServerFactory(database, "forgetful.test");
        const string roomId = "!lost:forgetful.test";
        await RecoveryManifestFile.WriteAsync(server.RecoveryManifestPath, new RecoveryManifest("forgetful.test", 0,
            [new RecoveryManifestRoom(roomId, "10", ["silent.test"], ["@alice:forgetful.test"])]), CancellationToken.None);
        server.OverLoopback();
        server.Settings["FederationClient:Destinations:silent.test"] = silent.BaseAddress.ToString();
        server.Settings["FederationClient:MaxRetries"] = "0";
        _ = server.CreateClient();

        var recovery = server.Services.GetRequiredService<RoomRecoveryService>();
        await recovery.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(RoomRebuildOutcome.Failed, recovery.Results[roomId].Outcome);
        Assert.Null(await server.Services.GetRequiredService<DagStore>().GetRoomVersionAsync(roomId));
        var manifest = await server.Services.GetRequiredService<RecoveryManifestWriter>().WriteNowAsync(CancellationToken.None);
        Assert.Equal([roomId], manifest.Rooms.Select(r => r.RoomId));
    }

    private static JsonObject MakeJoinTemplate(SignedRoomBuilder room, Pdu latest) => new()
    {
        ["room_version"] = room.Version.Id,
        ["event"] = new JsonObject
        {
            ["type"] = EventTypes.Member,
            ["room_id"] = room.RoomId,
            ["sender"] = "@alice:rebuilt.test",
            ["state_key"] = "@alice:rebuilt.test",
            ["content"] = new JsonObject { ["membership"] = "join" },
            ["prev_events"] = new JsonArray(latest.EventId),
            ["auth_events"] = new JsonArray(),
            ["depth"] = latest.Depth + 1,
            ["origin_server_ts"] = JsonSerializer.SerializeToNode(latest.OriginServerTs),
        },
    };
}
