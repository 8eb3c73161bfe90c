using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Local.Rooms;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Resync.Core.StateHashes;
using Federation.Storage.Dag;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Npgsql;

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
    public async Task Each_event_sent_carries_our_state_digests_before_and_after_it()
    {
        var (harness, remote, roomId) = await SetUpAsync("out4.test");
        await using var _ = harness;
        await using var __ = remote;
        await harness.StartSenderAsync();

        var topic = await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Topic, "", new JsonObject { ["topic"] = "digests" }, CancellationToken.None);
        await SentAsync(harness, remote, topic);
        var message = await SayAsync(harness, roomId, "after the topic");
        await SentAsync(harness, remote, message);

        var hashes = remote.Transactions.Select(t => t.GetProperty(TransactionStateHashes.UnstableKey)).ToList();
        Assert.All(hashes, h => Assert.Equal("lthash16", h.GetProperty("algorithm").GetString()));
        var entries = hashes.SelectMany(h => h.EnumerateObject()).Where(e => e.Name.StartsWith('$')).ToDictionary(e => e.Name, e => e.Value);
        var store = harness.Get<DagStore>();
        foreach (var pdu in new[] { topic, message })
        {
            var before = (await store.GetStateFingerprintAsync(roomId, pdu.EventId, StatePosition.Before))!;
            var after = (await store.GetStateFingerprintAsync(roomId, pdu.EventId, StatePosition.After))!;
            var entry = entries[pdu.EventId];
            Assert.Equal(before.Digest.ToString(), entry.GetProperty("before").GetString());
            Assert.Equal(after.Digest.ToString(), entry.GetProperty("after").GetString());
            Assert.Equal(before.Count, entry.GetProperty("n_before").GetInt64());
            Assert.Equal(after.Count, entry.GetProperty("n_after").GetInt64());
        }

        Assert.NotEqual(entries[topic.EventId].GetProperty("before").GetString(), entries[topic.EventId].GetProperty("after").GetString());
        Assert.Equal(entries[topic.EventId].GetProperty("after").GetString(), entries[message.EventId].GetProperty("before").GetString());
        Assert.Equal(entries[message.EventId].GetProperty("before").GetString(), entries[message.EventId].GetProperty("after").GetString());
    }

    [Fact]
    public async Task An_event_whose_state_has_no_stored_digest_is_sent_without_an_entry()
    {
        var (harness, remote, roomId) = await SetUpAsync("out5.test");
        await using var _ = harness;
        await using var __ = remote;
        var message = await SayAsync(harness, roomId, "old state");
        await using (var dataSource = NpgsqlDataSource.Create(database.ConnectionString))
        {
            // As for a state group written before fingerprints were stored.
            await using var forget = dataSource.CreateCommand(
                """
                DELETE FROM state_group_digests WHERE state_group_nid IN (
                    SELECT unnest(ARRAY[e.state_before_group, e.state_after_group]) FROM events e JOIN event_ids i USING (event_nid)
                    WHERE i.event_id = $1)
                """);
            forget.Parameters.Add(new NpgsqlParameter { Value = message.EventId });
            Assert.True(await forget.ExecuteNonQueryAsync() > 0);
        }

        await harness.StartSenderAsync();
        await SentAsync(harness, remote, message);

        var transaction = Assert.Single(remote.Transactions);
        Assert.Single(transaction.GetProperty("pdus").EnumerateArray());
        Assert.DoesNotContain(transaction.EnumerateObject(), p => p.Name == TransactionStateHashes.UnstableKey);
    }

    [Fact]
    public async Task A_local_event_is_stored_only_together_with_its_outbound_rows()
    {
        var (harness, remote, roomId) = await SetUpAsync("out9.test");
        await using var _ = harness;
        await using var __ = remote;
        var store = harness.Get<DagStore>();
        var extremities = await store.GetForwardExtremitiesAsync(roomId);

        // The queue refuses this destination's rows, as a failure between the two writes would: the event they queue
        // must not be stored either, or it would stay in the room and never reach out9.test.
        await ExecuteAsync(
            """
            CREATE FUNCTION refuse_out9() RETURNS trigger LANGUAGE plpgsql AS
            $$ BEGIN IF NEW.destination = 'out9.test' THEN RAISE EXCEPTION 'queue refused'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER refuse_out9 BEFORE INSERT ON outbound_pdus FOR EACH ROW EXECUTE FUNCTION refuse_out9();
            """);
        try
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => SayAsync(harness, roomId, "lost?"));
            Assert.Equal("queue refused", refused.MessageText);
        }
        finally
        {
            await ExecuteAsync("DROP TRIGGER refuse_out9 ON outbound_pdus; DROP FUNCTION refuse_out9()");
        }

        Assert.Equal(extremities, await store.GetForwardExtremitiesAsync(roomId));
        var message = await SayAsync(harness, roomId, "after");
        Assert.Equal([message.EventId], await store.GetForwardExtremitiesAsync(roomId));
        var queued = await harness.Get<OutboundPdus>().PeekAsync(remote.ServerName, 100, CancellationToken.None);
        Assert.Contains(message.EventId, queued.Select(q => q.EventId));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
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
