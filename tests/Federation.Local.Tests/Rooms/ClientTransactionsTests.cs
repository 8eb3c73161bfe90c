using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Rooms;
using Federation.Protocol.Events;
using Federation.Testing.Postgres;

namespace Federation.Local.Tests.Rooms;

/// <summary>Client transaction ids: one event per (user, device, room, txnId), across processes and hang-ups.</summary>
public sealed class ClientTransactionsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    private static Func<CancellationToken, Task<string>> Message(LocalHarness harness, string roomId, string text, Action? created = null) => async token =>
    {
        var pdu = await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Message, null, new JsonObject { ["body"] = text }, token);
        created?.Invoke();
        return pdu.EventId;
    };

    [Fact]
    public async Task The_same_transaction_sent_at_once_through_two_processes_creates_one_event()
    {
        await using var first = new LocalHarness(database.ConnectionString, "txn-shared.test");
        await using var second = new LocalHarness(database.ConnectionString, "txn-shared.test");
        var roomId = await first.Get<RoomCreator>().CreateAsync(first.User("alice"), new CreateRoomRequest(), CancellationToken.None);
        var creations = 0;

        var ids = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
        {
            var harness = i % 2 == 0 ? first : second;
            return harness.Get<ClientTransactions>().GetOrCreateAsync(
                harness.User("alice"), "DEVICE", roomId, "txn1", Message(harness, roomId, "once", () => Interlocked.Increment(ref creations)), CancellationToken.None);
        }));

        Assert.Single(ids.Distinct(StringComparer.Ordinal));
        Assert.Equal(1, creations);
    }

    [Fact]
    public async Task The_same_txn_id_in_two_rooms_creates_an_event_in_each()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "txn-rooms.test");
        var creator = harness.Get<RoomCreator>();
        var firstRoom = await creator.CreateAsync(harness.User("alice"), new CreateRoomRequest(), CancellationToken.None);
        var secondRoom = await creator.CreateAsync(harness.User("alice"), new CreateRoomRequest(), CancellationToken.None);
        var transactions = harness.Get<ClientTransactions>();

        var inFirst = await transactions.GetOrCreateAsync(harness.User("alice"), "DEVICE", firstRoom, "same", Message(harness, firstRoom, "a"), CancellationToken.None);
        var inSecond = await transactions.GetOrCreateAsync(harness.User("alice"), "DEVICE", secondRoom, "same", Message(harness, secondRoom, "b"), CancellationToken.None);

        Assert.NotEqual(inFirst, inSecond);
        Assert.Equal([inSecond], await harness.Get<Federation.Storage.Dag.DagStore>().GetForwardExtremitiesAsync(secondRoom));
    }

    [Fact]
    public async Task A_client_hanging_up_once_the_event_is_created_still_has_the_transaction_recorded()
    {
        await using var harness = new LocalHarness(database.ConnectionString, "txn-hangup.test");
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest(), CancellationToken.None);
        var transactions = harness.Get<ClientTransactions>();
        using var hangUp = new CancellationTokenSource();

        var created = await transactions.GetOrCreateAsync(
            harness.User("alice"), "DEVICE", roomId, "hang", Message(harness, roomId, "once", hangUp.Cancel), hangUp.Token);
        var retried = await transactions.GetOrCreateAsync(
            harness.User("alice"), "DEVICE", roomId, "hang", _ => throw new InvalidOperationException("created twice"), CancellationToken.None);

        Assert.Equal(created, retried);
    }
}
