using Federation.Api.Tests.Client;

namespace Federation.Api.Tests.Joins;

/// <summary>
/// The local side end to end over real HTTP between two of our servers: A creates a room, B's user joins it through
/// make_join/send_join, messages flow both ways through /send, and both end with the same state and extremities.
/// </summary>
public sealed class JoinBetweenOurServersTests(TwoDatabasesFixture databases) : IClassFixture<TwoDatabasesFixture>
{
    [Theory]
    [InlineData("1")]
    [InlineData("3")]
    [InlineData("10")]
    [InlineData("11")]
    [InlineData("12")]
    public async Task A_remote_user_joins_through_make_join_and_send_join_and_both_servers_converge(string version)
    {
        string a = $"a{version}.test", b = $"b{version}.test";
        using var servers = new OurServers((databases.First, a), (databases.Second, b));
        using var alice = await ClientSession.RegisterAsync(servers[a], "alice");
        using var bob = await ClientSession.RegisterAsync(servers[b], "bob");
        var roomId = await alice.CreateRoomAsync(new { room_version = version, preset = "public_chat", name = "Shared", topic = "both servers" });

        var joined = await bob.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?server_name=a{version}.test", new { });
        Assert.Equal(roomId, joined["room_id"]!.GetValue<string>());
        Assert.Equal(await alice.StateAsync(roomId), await bob.StateAsync(roomId));

        var fromAlice = await alice.SendMessageAsync(roomId, "hello from A");
        await servers.DeliveredAndProcessedAsync(a, b, roomId, fromAlice);
        Assert.Equal([fromAlice], await alice.ExtremitiesAsync(roomId));
        Assert.Equal([fromAlice], await bob.ExtremitiesAsync(roomId));
        var seenByBob = await bob.GetAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/event/{Uri.EscapeDataString(fromAlice)}");
        Assert.Equal("hello from A", seenByBob["content"]!["body"]!.GetValue<string>());

        var fromBob = await bob.SendMessageAsync(roomId, "hello from B");
        await servers.DeliveredAndProcessedAsync(b, a, roomId, fromBob);
        Assert.Equal([fromBob], await alice.ExtremitiesAsync(roomId));
        Assert.Equal([fromBob], await bob.ExtremitiesAsync(roomId));
        Assert.Equal(await alice.StateAsync(roomId), await bob.StateAsync(roomId));
        Assert.Contains($"m.room.member|{bob.UserId}|", string.Join('\n', await alice.StateAsync(roomId)), StringComparison.Ordinal);
    }
}
