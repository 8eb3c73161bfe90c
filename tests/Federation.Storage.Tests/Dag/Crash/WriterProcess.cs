using Federation.Storage.Dag;
using Federation.Testing.Dag;

namespace Federation.Storage.Tests.Dag.Crash;

/// <summary>
/// The entry point of this assembly when a crash test starts it as a separate process:
/// <c>dotnet Federation.Storage.Tests.dll write-line CONNECTION ROOM_ID STALL_AT_BATCH</c>. It appends batches of 50
/// messages "$w1", "$w2", … after "$j" to the room, printing "committed N" after each commit. At batch
/// <c>STALL_AT_BATCH</c> (if positive) it prints "writing N" once the transaction is open, the room locked and the
/// ids numbered, and then waits for input that never comes, so the test can kill it in the middle of that write.
/// </summary>
public static class WriterProcess
{
    public const string Command = "write-line";

    public const int BatchSize = 50;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || args[0] != Command)
        {
            await Console.Error.WriteLineAsync($"usage: {Command} CONNECTION ROOM_ID STALL_AT_BATCH");
            return 2;
        }

        var stallAt = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        await using var dataSource = StoreDataSource.Create(args[1]);
        var store = new DagStore(dataSource);
        var room = new TestRoomDag(args[2]);
        room.Create("$c", "@alice:test");
        room.Member("$j", "@alice:test", "join", ["$c"], ["$c"]);
        var batchNumber = 0;
        store.BeforeWriteForTests = _ =>
        {
            if (batchNumber == stallAt)
            {
                Console.WriteLine($"writing {batchNumber}");
                Console.Out.Flush();
                Console.In.ReadLine();
            }
        };

        var previous = "$j";
        for (batchNumber = 1; ; batchNumber++)
        {
            var batch = new List<EventToPersist>(BatchSize);
            for (var i = 0; i < BatchSize; i++)
            {
                var id = $"$w{((batchNumber - 1) * BatchSize) + i + 1}";
                batch.Add(EventToPersist.Accepted(room.Message(id, "@alice:test", [previous], ["$c", "$j"]), previous));
                previous = id;
            }

            await store.PersistEventsAsync(batch);
            Console.WriteLine($"committed {batchNumber}");
            Console.Out.Flush();
        }
    }
}
