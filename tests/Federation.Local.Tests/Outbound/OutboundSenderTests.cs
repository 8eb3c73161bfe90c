using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Local.Rooms;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Local.Tests.Outbound;

/// <summary>Locally created events reach a remote server with a joined member, through the persisted queue.</summary>
public sealed class OutboundSenderTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<(LocalHarness Harness, TransactionReceiver Remote, string RoomId)> SetUpAsync(string remoteName)
    {
        var remote = await TransactionReceiver.StartAsync(new ServerIdentity(remoteName, SigningKey.Generate("r1")));
        var harness = new LocalHarness(
            database.ConnectionString,
            "local-" + remoteName,
            new Dictionary<string, string?> { [$"FederationClient:Destinations:{remoteName}"] = remote.BaseAddress.ToString() });
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest { Preset = "public_chat" }, CancellationToken.None);
        await RemoteMembers.JoinAsync(harness, remote.Identity, roomId, "zoe");
        return (harness, remote, roomId);
    }

    private static Task<Pdu> SayAsync(LocalHarness harness, string roomId, string text) =>
        harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Message, null, new JsonObject { ["body"] = text }, CancellationToken.None);

    private static Task SentAsync(LocalHarness harness, TransactionReceiver remote, Pdu pdu) =>
        harness.Get<OutboundPdus>().WaitUntilSentAsync(remote.ServerName, pdu.EventId, CancellationToken.None).WaitAsync(Patience);

    [Fact]
    public async Task A_local_message_is_sent_to_the_server_of_a_joined_member_in_a_transaction_from_us()
    {
        var (harness, remote, roomId) = await SetUpAsync("out1.test");
        await using var _ = harness;
        await using var __ = remote;
        await harness.StartSenderAsync();

        var message = await SayAsync(harness, roomId, "hi");
        await SentAsync(harness, remote, message);

        var transaction = Assert.Single(remote.Transactions);
        Assert.Equal(harness.Identity.ServerName, transaction.GetProperty("origin").GetString());
        var pdu = Assert.Single(transaction.GetProperty("pdus").EnumerateArray());
        Assert.Equal("hi", pdu.GetProperty("content").GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_failing_destination_is_retried_after_a_back_off_and_then_gets_the_events_in_order()
    {
        var (harness, remote, roomId) = await SetUpAsync("out2.test");
        await using var _ = harness;
        await using var __ = remote;
        remote.Status = attempt => attempt == 1 ? 500 : 200;
        var backOff = harness.Get<OutboundWakeups>().NextBackOff(remote.ServerName);
        await harness.StartSenderAsync();

        await SayAsync(harness, roomId, "one");
        var delay = await backOff.WaitAsync(Patience);
        var second = await SayAsync(harness, roomId, "two");
        Assert.Empty(remote.Transactions);
        harness.Time.Advance(delay);
        await SentAsync(harness, remote, second);

        Assert.Equal(TimeSpan.FromSeconds(10), delay);
        Assert.Equal(2, remote.Attempts);
        var sent = remote.Transactions.SelectMany(t => t.GetProperty("pdus").EnumerateArray()).Select(p => p.GetProperty("content").GetProperty("body").GetString());
        Assert.Equal(["one", "two"], sent);
    }

    [Fact]
    public async Task Events_queued_before_the_sender_starts_are_sent_when_it_starts_in_transactions_of_at_most_50()
    {
        var (harness, remote, roomId) = await SetUpAsync("out3.test");
        await using var _ = harness;
        await using var __ = remote;
        Pdu last = null!;
        for (var i = 0; i < 60; i++)
        {
            last = await SayAsync(harness, roomId, $"m{i}");
        }

        Assert.Equal([remote.ServerName], await harness.Get<OutboundPdus>().DestinationsAsync(CancellationToken.None));
        await harness.StartSenderAsync();
        await SentAsync(harness, remote, last);

        Assert.Equal([50, 10], remote.Transactions.Select(t => t.GetProperty("pdus").GetArrayLength()));
        Assert.Empty(await harness.Get<OutboundPdus>().DestinationsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_room_with_only_local_members_queues_nothing()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "alone.test");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest(), CancellationToken.None);

        await SayAsync(harness, roomId, "echo");

        Assert.DoesNotContain(await harness.Get<OutboundPdus>().DestinationsAsync(CancellationToken.None), d => d == "alone.test");
    }
}
