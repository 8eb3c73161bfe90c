using System.Net;
using Federation.Api.Tests.Client;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Divergence;
using Federation.Resync.Recovery;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Federation.Api.Tests.Recovery;

/// <summary>
/// Disaster recovery between three of our servers: rooms with traffic, a ban and power-level changes; one server's
/// database is wiped mid-conversation; started again with its signing key and recovery manifest, it rebuilds its rooms
/// from the other two, ends with the same state (and state fingerprint), and the conversation goes on in both directions.
/// </summary>
public sealed class RoomRecoveryTests(ThreeDatabasesFixture databases) : IClassFixture<ThreeDatabasesFixture>
{
    [Theory]
    [InlineData("10")]
    [InlineData("12")]
    public async Task A_server_whose_database_was_wiped_rebuilds_its_rooms_from_its_peers_and_converges(string version)
    {
        string a = $"a{version}.recovery.test", b = $"b{version}.recovery.test", c = $"c{version}.recovery.test";
        using var servers = new OurServers((databases[0], a), (databases[1], b), (databases[2], c));
        using var alice = await ClientSession.RegisterAsync(servers[a], "alice");
        using var bob = await ClientSession.RegisterAsync(servers[b], "bob");
        using var carol = await ClientSession.RegisterAsync(servers[c], "carol");
        using var mallory = await ClientSession.RegisterAsync(servers[c], "mallory");
        var roomId = await alice.CreateRoomAsync(new { room_version = version, preset = "public_chat", name = "Recovery" });
        foreach (var member in new[] { bob, carol, mallory })
        {
            _ = await member.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?server_name={a}", new { });
        }

        var powers = await alice.GetAsync(RoomPath(roomId, "/state/m.room.power_levels/"));
        powers["users"]![bob.UserId] = 50;
        await servers.DeliveredEverywhereAsync(a, roomId, await StateEventAsync(alice, roomId, "m.room.power_levels", "", powers));
        await servers.DeliveredEverywhereAsync(a, roomId, await StateEventAsync(alice, roomId, "m.room.member", mallory.UserId, new { membership = "ban" }));
        await servers.DeliveredEverywhereAsync(b, roomId, await StateEventAsync(bob, roomId, "m.room.topic", "", new { topic = "before the loss" }));
        await servers.DeliveredEverywhereAsync(c, roomId, await carol.SendMessageAsync(roomId, "hello from C"));
        await servers[a].Services.GetRequiredService<RecoveryManifestWriter>().WriteNowAsync(CancellationToken.None);
        var stateBeforeLoss = await bob.StateAsync(roomId);

        var rebuilt = await servers.RestartAsync(a, WipeAsync);
        var recovery = rebuilt.Services.GetRequiredService<RoomRecoveryService>();
        await recovery.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        var result = recovery.Results[roomId];
        Assert.True(result.Outcome == RoomRebuildOutcome.Rebuilt, $"{result.Outcome}: {result.Detail}");
        Assert.Equal(DivergenceClass.InSync, recovery.Checks[roomId].Verdict.Class);
        Assert.Equal(HttpStatusCode.OK, (await rebuilt.CreateClient().GetAsync("/health/ready")).StatusCode);

        using var aliceAgain = await ClientSession.RegisterAsync(rebuilt, "alice");
        Assert.Equal(stateBeforeLoss, await aliceAgain.StateAsync(roomId));
        Assert.Contains($"m.room.member|{mallory.UserId}|", string.Join('\n', stateBeforeLoss), StringComparison.Ordinal);

        var fromRebuilt = await aliceAgain.SendMessageAsync(roomId, "back again");
        await servers.DeliveredEverywhereAsync(a, roomId, fromRebuilt);
        Assert.Equal([fromRebuilt], await bob.ExtremitiesAsync(roomId));
        Assert.Equal([fromRebuilt], await carol.ExtremitiesAsync(roomId));

        var fromBob = await bob.SendMessageAsync(roomId, "welcome back");
        await servers.DeliveredEverywhereAsync(b, roomId, fromBob);
        Assert.Equal([fromBob], await aliceAgain.ExtremitiesAsync(roomId));
        Assert.Equal(await bob.StateAsync(roomId), await aliceAgain.StateAsync(roomId));
        Assert.Equal(await carol.StateAsync(roomId), await aliceAgain.StateAsync(roomId));
        var fingerprints = new List<StateFingerprint>();
        foreach (var name in new[] { a, b, c })
        {
            fingerprints.Add((await servers[name].Services.GetRequiredService<CurrentFingerprintReader>().ReadAsync(roomId, CancellationToken.None))!.Fingerprint);
        }

        Assert.Single(fingerprints.Distinct());
    }

    private static async Task<string> StateEventAsync(ClientSession session, string roomId, string type, string stateKey, object content) =>
        (await session.PutAsync(RoomPath(roomId, $"/state/{type}/{Uri.EscapeDataString(stateKey)}"), content))["event_id"]!.GetValue<string>();

    private static string RoomPath(string roomId, string rest) => $"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}{rest}";

    /// <summary>Loses everything the server stored: its schema goes, and the restarted server migrates an empty one.</summary>
    private static async Task WipeAsync(PostgresDatabaseFixture database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public", connection);
        await command.ExecuteNonQueryAsync();
    }
}
