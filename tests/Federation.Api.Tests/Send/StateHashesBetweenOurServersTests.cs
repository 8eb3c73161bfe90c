using Federation.Api.Tests.Client;
using Federation.Api.Tests.Joins;
using Federation.Ingest.StateHashes;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests.Send;

/// <summary>
/// Two of our servers in one room over real HTTP: the transactions one sends carry its MSC4500 state digests, the other
/// compares them with its own, and servers that agree on the state find no mismatch.
/// </summary>
public sealed class StateHashesBetweenOurServersTests(TwoDatabasesFixture databases) : IClassFixture<TwoDatabasesFixture>
{
    [Fact]
    public async Task Digests_sent_with_a_state_change_and_a_message_match_on_the_receiving_server()
    {
        const string a = "hashes-a.test", b = "hashes-b.test";
        using var servers = new OurServers((databases.First, a), (databases.Second, b));
        using var alice = await ClientSession.RegisterAsync(servers[a], "alice");
        using var bob = await ClientSession.RegisterAsync(servers[b], "bob");
        var roomId = await alice.CreateRoomAsync(new { preset = "public_chat" });
        await bob.PostAsync($"/_matrix/client/v3/join/{Uri.EscapeDataString(roomId)}?server_name={a}", new { });
        var received = servers[b].Services.GetRequiredService<StateHashRecord>();
        var comparedBefore = received.Compared;

        var topic = (await alice.PutAsync($"/_matrix/client/v3/rooms/{Uri.EscapeDataString(roomId)}/state/m.room.topic/", new { topic = "digests" }))["event_id"]!.GetValue<string>();
        await servers.DeliveredAndProcessedAsync(a, b, roomId, topic);
        var message = await alice.SendMessageAsync(roomId, "after the topic");
        await servers.DeliveredAndProcessedAsync(a, b, roomId, message);

        Assert.True(received.Compared - comparedBefore >= 2, $"{received.Compared - comparedBefore} claims compared");
        Assert.Empty(received.RecentMismatches);
        foreach (var eventId in new[] { topic, message })
        {
            Assert.Equal(
                (await servers[a].Services.GetRequiredService<DagStore>().GetStateFingerprintAsync(roomId, eventId, StatePosition.After))!.Fingerprint,
                (await servers[b].Services.GetRequiredService<DagStore>().GetStateFingerprintAsync(roomId, eventId, StatePosition.After))!.Fingerprint);
        }
    }
}
