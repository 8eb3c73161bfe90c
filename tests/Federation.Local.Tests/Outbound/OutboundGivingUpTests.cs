using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Local.Rooms;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Local.Tests.Outbound;

/// <summary>When the sender stops trying: refused transactions, odd 200 answers, and a full queue.</summary>
public sealed class OutboundGivingUpTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<Pdu> SayAsync(LocalHarness harness, string roomId, string text) =>
        harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Message, null, new JsonObject { ["body"] = text }, CancellationToken.None);

    private static Task SentAsync(LocalHarness harness, string destination, Pdu pdu) =>
        harness.Get<OutboundPdus>().WaitUntilSentAsync(destination, pdu.EventId, CancellationToken.None).WaitAsync(Patience);

    private static async Task<string> RoomWithAsync(LocalHarness harness, ServerIdentity remote)
    {
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest { Preset = "public_chat" }, CancellationToken.None);
        await RemoteMembers.JoinAsync(harness, remote, roomId, "zoe");
        return roomId;
    }

    [Fact]
    public async Task A_transaction_the_destination_refuses_with_a_4xx_is_dropped_not_retried()
    {
        await using var remote = await TransactionReceiver.StartAsync(new ServerIdentity("refuser.test", SigningKey.Generate("r1")));
        await using var harness = new LocalHarness(
            database.ConnectionString, "local-refuser.test", new Dictionary<string, string?> { ["FederationClient:Destinations:refuser.test"] = remote.BaseAddress.ToString() });
        var roomId = await RoomWithAsync(harness, remote.Identity);
        remote.Status = attempt => attempt == 1 ? 400 : 200;
        await harness.StartSenderAsync();

        var refused = await SayAsync(harness, roomId, "refused");
        await SentAsync(harness, remote.ServerName, refused);
        var next = await SayAsync(harness, roomId, "next");
        await SentAsync(harness, remote.ServerName, next);

        Assert.Equal(2, remote.Attempts);
        var sent = remote.Transactions.SelectMany(t => t.GetProperty("pdus").EnumerateArray()).Select(p => p.GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(["next"], sent);
    }

    [Fact]
    public async Task A_200_answer_whose_body_is_not_an_object_counts_as_delivered()
    {
        await using var remote = await LoopbackRemote.StartAsync("odd-200.test");
        await using var harness = new LocalHarness(database.ConnectionString, "local-odd-200.test", new Dictionary<string, string?>([remote.Destination()]));
        var roomId = await RoomWithAsync(harness, remote.Identity);
        remote.Handler = _ => Task.FromResult(Results.Text("[\"thanks\"]", "application/json"));
        await harness.StartSenderAsync();

        var message = await SayAsync(harness, roomId, "hi");
        await SentAsync(harness, remote.ServerName, message);

        Assert.Equal(1, remote.Requests);
        Assert.Empty(await harness.Get<OutboundPdus>().PeekAsync(remote.ServerName, 10, CancellationToken.None));
    }

    [Fact]
    public async Task A_destination_queue_past_its_cap_loses_its_oldest_events()
    {
        await using var remote = await TransactionReceiver.StartAsync(new ServerIdentity("capped.test", SigningKey.Generate("r1")));
        await using var harness = new LocalHarness(
            database.ConnectionString,
            "local-capped.test",
            new Dictionary<string, string?>
            {
                ["FederationClient:Destinations:capped.test"] = remote.BaseAddress.ToString(),
                ["OutboundFederation:MaxQueuedPerDestination"] = "3",
            });
        var roomId = await RoomWithAsync(harness, remote.Identity);
        var messages = new List<Pdu>();
        for (var i = 0; i < 5; i++)
        {
            messages.Add(await SayAsync(harness, roomId, $"m{i}"));
        }

        var queued = await harness.Get<OutboundPdus>().PeekAsync(remote.ServerName, 10, CancellationToken.None);
        Assert.Equal(messages.Skip(2).Select(m => m.EventId), queued.Select(q => q.EventId));
        await SentAsync(harness, remote.ServerName, messages[0]);

        await harness.StartSenderAsync();
        await SentAsync(harness, remote.ServerName, messages[^1]);
        var sent = remote.Transactions.SelectMany(t => t.GetProperty("pdus").EnumerateArray())
            .Select(p => p.GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(["m2", "m3", "m4"], sent);
    }
}
