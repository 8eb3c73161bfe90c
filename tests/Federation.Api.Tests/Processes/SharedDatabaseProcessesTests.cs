using Federation.Testing.Postgres;
using Xunit.Abstractions;

namespace Federation.Api.Tests.Processes;

/// <summary>
/// Two server processes with one database, one name and one key, on two ports (as behind a load balancer). Every
/// transaction reaches both at once, so each event is received twice, by different processes, into rooms both
/// process queues work on.
/// </summary>
[Collection(ServerProcessesRunAlone.Name)]
public sealed class SharedDatabaseProcessesTests(PostgresDatabaseFixture database, ITestOutputHelper output)
    : ServerProcessTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Transactions_pushed_to_two_processes_at_once_store_every_event_once_and_leave_each_room_consistent()
    {
        await CreateRoomsAsync(6);
        var first = await StartServerAsync();
        var second = await StartServerAsync();

        var started = TimeProvider.System.GetTimestamp();
        // Rooms in parallel; within a room, each transaction goes to both processes at once before the next is sent.
        await Task.WhenAll(Rooms.Select(async room =>
        {
            var origin = CreatorOf(room);
            foreach (var (txnId, body) in TransactionsOf(room, "both"))
            {
                var answers = await Task.WhenAll(TrySendAsync(origin, first, txnId, body), TrySendAsync(origin, second, txnId, body));
                Assert.All(answers, Assert.True);
            }
        }));
        await QueueDrainedAsync();
        output.WriteLine(
            $"{Rooms.Count} rooms, {Rooms.Sum(r => TransactionsOf(r, "both").Count)} transactions to each process, drained in "
            + $"{TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s; {MissingEventsRequests()} gap fills");

        await AssertRoomsConsistentAsync();
    }
}
