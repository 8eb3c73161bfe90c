using System.Runtime.InteropServices;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Core.StateHashes;
using Federation.Storage;
using Federation.Testing.Events;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Ingest.Tests.Queue;

/// <summary>
/// The process that queued an event hands its JSON to its own worker in memory; the rows stay the durable truth, read
/// back for whatever this process did not queue (another process, a restart) or no longer remembers. To tell which copy
/// a lease used, the tests rewrite the stored JSON after queueing.
/// </summary>
public sealed class InboundPduStoreTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>, IAsyncLifetime
{
    private static readonly RoomVersion Version = RoomVersion.Get("10");

    private readonly SignedRoomBuilder _room = new(Version, new ServerIdentity("remote.test", SigningKey.Generate("k")));
    private NpgsqlDataSource _dataSource = null!;

    public Task InitializeAsync()
    {
        _dataSource = StoreDataSource.Create(database.ConnectionString);
        _room.CreatePublicRoom("@alice:remote.test");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();

    private InboundPduStore NewProcess() => new(_dataSource, TimeProvider.System);

    [Fact]
    public async Task Events_queued_here_are_taken_without_their_stored_json_being_read()
    {
        var store = NewProcess();
        var first = _room.Message("@alice:remote.test", "first");
        var second = _room.Message("@alice:remote.test", "second");
        var claim = new StateHashClaim(StateDigest.Empty, null, CountBefore: 4);
        await store.EnqueueAsync([Admitted(first), Admitted(second)], new Dictionary<string, StateHashClaim> { [second.EventId] = claim }, CancellationToken.None);
        await ExecuteAsync("UPDATE inbound_pdus SET event_json = convert_to('not json', 'UTF8') WHERE room_id = $1");

        var queued = await NextAsync(store);

        Assert.Equal([first.EventId, second.EventId], queued.Select(q => q.Event.EventId));
        Assert.Equal(CanonicalJson.Encode(first.Json), CanonicalJson.Encode(queued[0].Event.Pdu.Json));
        Assert.Equal(CanonicalJson.Encode(second.Json), CanonicalJson.Encode(queued[1].Event.Pdu.Json));
        Assert.Equal("second", queued[1].Event.Pdu.Content.GetProperty("body").GetString());
        Assert.All(queued, q => Assert.Equal("remote.test", q.Origin));
        Assert.All(queued, q => Assert.Null(q.Event.Redacted));
        Assert.Null(queued[0].Claim);
        Assert.Equal(claim, queued[1].Claim);
    }

    [Fact]
    public async Task Events_queued_by_another_process_or_before_a_restart_are_read_back()
    {
        var message = _room.Message("@alice:remote.test", "theirs");
        var tampered = _room.Message("@alice:remote.test", "tampered");
        var claim = new StateHashClaim(null, StateDigest.Empty, CountAfter: 5);
        await NewProcess().EnqueueAsync(
            [Admitted(message), ("other.test", Redacted(tampered))], new Dictionary<string, StateHashClaim> { [message.EventId] = claim }, CancellationToken.None);
        await MarkStoredJsonAsync();

        var queued = await NextAsync(NewProcess());

        Assert.Equal([message.EventId, tampered.EventId], queued.Select(q => q.Event.EventId));
        Assert.All(queued, q => Assert.True(ReadBack(q)));
        Assert.Equal("theirs", queued[0].Event.Pdu.Content.GetProperty("body").GetString());
        Assert.Equal(["remote.test", "other.test"], queued.Select(q => q.Origin));
        Assert.Equal(claim, queued[0].Claim);
        Assert.Null(queued[0].Event.Redacted);
        Assert.Equal(queued[1].Event.Pdu.Json, queued[1].Event.Redacted);
        Assert.False(queued[1].Event.Pdu.Content.TryGetProperty("body", out _));
    }

    [Fact]
    public async Task A_room_queued_by_two_processes_comes_in_arrival_order_with_only_the_others_events_read_back()
    {
        var ours = NewProcess();
        var theirs = NewProcess();
        var events = Enumerable.Range(1, 3).Select(i => _room.Message("@alice:remote.test", $"m{i}")).ToList();
        await ours.EnqueueAsync([Admitted(events[0])], CancellationToken.None);
        await theirs.EnqueueAsync([Admitted(events[1])], CancellationToken.None);
        await ours.EnqueueAsync([Admitted(events[2])], CancellationToken.None);
        await MarkStoredJsonAsync();

        var queued = await NextAsync(ours);

        Assert.Equal(events.Select(e => e.EventId), queued.Select(q => q.Event.EventId));
        Assert.Equal([false, true, false], queued.Select(ReadBack));
    }

    [Fact]
    public async Task An_event_already_queued_keeps_its_queued_copy()
    {
        var ours = NewProcess();
        var message = _room.Message("@alice:remote.test", "hash did not match elsewhere");
        await NewProcess().EnqueueAsync([("other.test", Redacted(message))], CancellationToken.None);
        await ours.EnqueueAsync([Admitted(message)], CancellationToken.None);

        var queued = Assert.Single(await NextAsync(ours));

        Assert.Equal("other.test", queued.Origin);
        Assert.NotNull(queued.Event.Redacted);
        Assert.False(queued.Event.Pdu.Content.TryGetProperty("body", out _));
    }

    [Fact]
    public async Task Of_two_copies_in_one_batch_the_first_is_queued_and_handed_over()
    {
        var store = NewProcess();
        var message = _room.Message("@alice:remote.test", "sent twice");
        await store.EnqueueAsync([("first.test", Redacted(message)), ("second.test", Admitted(message).Event)], CancellationToken.None);
        await MarkStoredJsonAsync();

        var queued = Assert.Single(await NextAsync(store));

        Assert.False(ReadBack(queued));
        Assert.Equal("first.test", queued.Origin);
        Assert.NotNull(queued.Event.Redacted);
        Assert.False(queued.Event.Pdu.Content.TryGetProperty("body", out _));
    }

    [Fact]
    public async Task Removed_rows_are_forgotten()
    {
        var store = NewProcess();
        await store.EnqueueAsync([Admitted(_room.Message("@alice:remote.test", "one")), Admitted(_room.Message("@alice:remote.test", "two"))], CancellationToken.None);
        await using var lease = (await store.TryTakeRoomAsync(_room.RoomId, Version, CancellationToken.None))!;
        var queued = await lease.NextAsync(10, CancellationToken.None);
        Assert.All(queued, q => Assert.True(store.HandOff.TryGet(q.Id, out _)));

        await lease.RemoveAsync(queued[0].Id, CancellationToken.None);
        await using (var connection = await _dataSource.OpenConnectionAsync())
        await using (var batch = new NpgsqlBatch(connection))
        {
            // As the write that persists a run removes it: in a transaction, prepared.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            foreach (var command in RoomLease.RemoveCommands([queued[1].Id]))
            {
                batch.BatchCommands.Add(command);
            }

            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await batch.PrepareAsync();
            await batch.ExecuteNonQueryAsync();
        }

        lease.Forget([queued[1].Id]);

        Assert.All(queued, q => Assert.False(store.HandOff.TryGet(q.Id, out _)));
        Assert.Empty(await lease.NextAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_lagging_worker_reads_back_what_the_bounded_hand_off_forgot()
    {
        // Five events of about the same size, generations of two: the first two age out when the third generation starts.
        var events = Enumerable.Range(1, 5).Select(i => _room.Message("@alice:remote.test", $"m{i}")).ToList();
        var sizes = events.Select(e => JsonMarshal.GetRawUtf8Value(e.Json).Length).ToList();
        Assert.True(sizes.Max() < 2 * sizes.Min());
        var store = new InboundPduStore(_dataSource, TimeProvider.System) { HandOff = new InboundHandOff(bytesPerGeneration: 2 * sizes.Min()) };
        foreach (var pdu in events)
        {
            await store.EnqueueAsync([Admitted(pdu)], CancellationToken.None);
        }

        await MarkStoredJsonAsync();

        var queued = await NextAsync(store);

        Assert.Equal(events.Select(e => e.EventId), queued.Select(q => q.Event.EventId));
        Assert.Equal([true, true, false, false, false], queued.Select(ReadBack));
    }

    private static (string Origin, VerifiedEvent Event) Admitted(Pdu pdu) => ("remote.test", new VerifiedEvent(pdu, null));

    /// <summary>As the content hash check leaves an event whose content does not match its hash.</summary>
    private static VerifiedEvent Redacted(Pdu pdu)
    {
        var redacted = Pdu.WithTrustedId(Redaction.Redact(pdu.Json, Version), Version, pdu.EventId);
        return new VerifiedEvent(redacted, redacted.Json);
    }

    private async Task<IReadOnlyList<QueuedPdu>> NextAsync(InboundPduStore store)
    {
        await using var lease = await store.TryTakeRoomAsync(_room.RoomId, Version, CancellationToken.None);
        return await lease!.NextAsync(50, CancellationToken.None);
    }

    /// <summary>Adds <c>unsigned.read_back</c> to the stored JSON of the room's rows: a lease that reads them back says so.</summary>
    private Task MarkStoredJsonAsync() => ExecuteAsync(
        """
        UPDATE inbound_pdus
        SET event_json = convert_to(jsonb_set(convert_from(event_json, 'UTF8')::jsonb, '{unsigned}', '{"read_back": true}')::text, 'UTF8')
        WHERE room_id = $1
        """);

    private static bool ReadBack(QueuedPdu queued) =>
        queued.Event.Pdu.Json.TryGetProperty("unsigned", out var unsigned) && unsigned.TryGetProperty("read_back", out _);

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = _room.RoomId });
        await command.ExecuteNonQueryAsync();
    }
}
