using Federation.Testing.Postgres;
using Xunit.Abstractions;

namespace Federation.Api.Tests.Processes;

/// <summary>
/// A server process killed with SIGKILL while remotes push transactions and it fills their gaps. The remotes retry what
/// was not answered with the same transaction ids once a new process runs, as a homeserver's sender does.
/// </summary>
[Collection(ServerProcessesRunAlone.Name)]
public sealed class KilledProcessTests(PostgresDatabaseFixture database, ITestOutputHelper output)
    : ServerProcessTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_process_killed_during_ingest_and_restarted_loses_and_duplicates_no_event()
    {
        await CreateRoomsAsync(4);
        var transactions = Rooms.Select(room => (Origin: CreatorOf(room), Transactions: TransactionsOf(room, "kill"))).ToList();
        var total = transactions.Sum(r => r.Transactions.Count);
        var server = await StartServerAsync();
        var gapFillAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // The remote holds the first gap fill open, so the kill finds the process in the middle of one.
        HoldGapFills(gapFillAsked, killed.Task);
        var restarted = new TaskCompletionSource<ServerProcess>(TaskCreationOptions.RunContinuationsAsynchronously);
        var retried = 0;

        var senders = transactions.Select(async room =>
        {
            var target = server;
            foreach (var (i, (txnId, body)) in room.Transactions.Index())
            {
                if (i == room.Transactions.Count / 2)
                {
                    // The second half is sent while the process is being killed.
                    await gapFillAsked.Task;
                }

                while (!await TrySendAsync(room.Origin, target, txnId, body))
                {
                    // Not answered: the server is gone. Retry the same transaction with the one that replaces it.
                    Interlocked.Increment(ref retried);
                    target = await restarted.Task;
                }
            }
        }).ToList();

        await gapFillAsked.Task.WaitAsync(TimeSpan.FromSeconds(45));
        await server.KillAsync();
        var queuedAtKill = await QueuedAsync();
        killed.SetResult();
        ServeHistory();
        var started = TimeProvider.System.GetTimestamp();
        restarted.SetResult(await StartServerAsync());
        var restartTime = TimeProvider.System.GetElapsedTime(started);
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(45));
        await QueueDrainedAsync();
        output.WriteLine(
            $"{total} transactions, {Volatile.Read(ref retried)} retried after the kill; {queuedAtKill} events queued at the kill; "
            + $"restart {restartTime.TotalSeconds:F1} s; {MissingEventsRequests()} gap fills asked in all");

        await AssertRoomsConsistentAsync();

        // Every transaction sent again (a remote that never saw our answer) is answered from the transaction store.
        foreach (var (origin, roomTransactions) in transactions)
        {
            foreach (var (txnId, body) in roomTransactions)
            {
                Assert.True(await TrySendAsync(origin, await restarted.Task, txnId, body));
            }
        }

        await QueueDrainedAsync();
        await AssertRoomsConsistentAsync();
    }
}
