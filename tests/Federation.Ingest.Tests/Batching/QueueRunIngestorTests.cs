using System.Text.Json.Nodes;
using Federation.Ingest.Batching;
using Federation.Ingest.Extremities;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Federation.Ingest.Tests.Batching;

public sealed class QueueRunIngestorTests(PostgresDatabaseFixture database) : StoredRoomTestBase(database)
{
    [Fact]
    public async Task A_run_leaves_the_queue_in_the_transaction_that_persists_it()
    {
        var queue = new InboundPduStore(DataSource, TimeProvider.System);
        Pdu[] messages = [Room.Message("@alice:remote.test", "one"), Room.Message("@alice:remote.test", "two")];
        await queue.EnqueueAsync([.. messages.Select(Admitted)], CancellationToken.None);
        await using var lease = (await queue.TryTakeRoomAsync(Room.RoomId, Room.Version, CancellationToken.None))!;
        var queued = await lease.NextAsync(10, CancellationToken.None);

        Assert.Equal(2, await NewIngestor().ProcessRunAsync(queued, 0, CancellationToken.None));

        Assert.Equal(0, await queue.CountAsync(Room.RoomId, CancellationToken.None));
        Assert.Equal([messages[1].EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task A_run_that_finds_the_room_written_by_another_process_persists_nothing_and_leaves_its_events_queued()
    {
        var queue = new InboundPduStore(DataSource, TimeProvider.System);
        var opening = Room.Last;
        var message = Room.Message("@alice:remote.test", "queued");
        var theirs = Room.Add("@alice:remote.test", EventTypes.Message, null, new JsonObject { ["body"] = "theirs" }, [opening.EventId]);
        await queue.EnqueueAsync([Admitted(message)], CancellationToken.None);
        await using var lease = (await queue.TryTakeRoomAsync(Room.RoomId, Room.Version, CancellationToken.None))!;
        var queued = await lease.NextAsync(10, CancellationToken.None);
        Assert.Equal([opening.EventId], await Store.GetForwardExtremitiesForWriteAsync(Room.RoomId));
        await new DagStore(DataSource).PersistEventsAsync([EventToPersist.Accepted(theirs, opening.EventId)]);

        Assert.Equal(0, await NewIngestor().ProcessRunAsync(queued, 0, CancellationToken.None));

        Assert.Equal(1, await queue.CountAsync(Room.RoomId, CancellationToken.None));
        Assert.Empty(await Store.GetEventsAsync(Room.RoomId, [message.EventId]));
        Assert.Equal([theirs.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task A_run_whose_event_the_store_holds_already_persists_nothing_and_leaves_it_queued()
    {
        var queue = new InboundPduStore(DataSource, TimeProvider.System);
        var message = Room.Message("@alice:remote.test", "fetched earlier as an outlier");
        await queue.EnqueueAsync([Admitted(message)], CancellationToken.None);
        await Store.PersistEventsAsync([EventToPersist.Outlier(message)]);
        await using var lease = (await queue.TryTakeRoomAsync(Room.RoomId, Room.Version, CancellationToken.None))!;

        Assert.Equal(0, await NewIngestor().ProcessRunAsync(await lease.NextAsync(10, CancellationToken.None), 0, CancellationToken.None));

        Assert.Equal(1, await queue.CountAsync(Room.RoomId, CancellationToken.None));
        Assert.True((await Store.GetKnownEventsAsync(Room.RoomId, [message.EventId]))[message.EventId].IsOutlier);
    }

    private static (string Origin, VerifiedEvent Event) Admitted(Pdu pdu) => ("remote.test", new VerifiedEvent(pdu, null));

    private QueueRunIngestor NewIngestor()
    {
        var cache = new SettledEventCache(Store);
        var state = new StateCalculator(Store, cache);
        var pruner = new ExtremityPruner(
            Store, state, new ServerIdentity("ours.test", SigningKey.Generate("k")), TimeProvider.System, NullLogger<ExtremityPruner>.Instance);
        return new QueueRunIngestor(Store, state, cache, pruner, NullLogger<QueueRunIngestor>.Instance);
    }
}
