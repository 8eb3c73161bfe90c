using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.Queue;
using Federation.Ingest.State;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Ingest.Benchmarks;

// End-to-end ingest (issue 5): our server over loopback, a fake remote pushing signed 50-PDU transactions with gaps.
// Prints one JSON document on stdout; progress goes to stderr. Exit code 1 when what was stored is wrong.
public static class IngestBenchmarkApp
{
    public static async Task<int> Main(string[] args)
    {
        var options = IngestBenchOptions.Parse(args);

        var database = new PostgresDatabaseFixture();
        await database.InitializeAsync();
        await using var remote = await FakeHomeserver.StartAsync("remote.test");
        using var server = new BenchServer(database.ConnectionString, new Dictionary<string, string>
        {
            [$"FederationClient:Destinations:{remote.ServerName}"] = remote.BaseAddress.ToString(),
        });
        await using var dataSource = StoreDataSource.Create(database.ConnectionString);
        var store = new DagStore(dataSource);

        using var client = server.CreateClient();
        var limit = server.Services.GetRequiredService<IOptions<IngestOptions>>().Value.MissingEventsLimit;
        var worker = server.Services.GetRequiredService<InboundQueueWorker>();
        if (options.WarmupEvents > 0)
        {
            // The same workload in rooms of its own, unmeasured: the figures are those of a server whose code the JIT
            // has compiled (a long-running one), as the storage benchmark's are after its warm-up.
            Progress($"Warming up with {options.WarmupEvents} events in {options.Rooms} other rooms");
            var warmup = await PrepareAsync(remote, server, store, options, options.WarmupEvents, options.Seed + 1_000);
            await TransactionPusher.PushAsync(client, warmup.Streams);
            await DrainAsync(worker, warmup.Rooms);
        }

        Progress($"Generating {options.Events} signed events in {options.Rooms} rooms");
        var (rooms, streams) = await PrepareAsync(remote, server, store, options, options.Events, options.Seed);
        var expected = rooms.Select(r => ExpectedOutcome.For(r, limit)).ToArray();

        var requestsBefore = remote.Requests.Count;
        var backends = await BackendPidsAsync(dataSource, database.DatabaseName);
        var postgresCpuBefore = ProcessCpu.SecondsOf(backends);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var gcBefore = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
        var profilingStatements = await StatementProfile.TryResetAsync(dataSource);
        Progress($"Pushing {streams.Sum(s => s.Count)} transactions ({rooms.Sum(r => r.Pushed.Count)} PDUs) over {streams.Count} streams");
        var started = Stopwatch.GetTimestamp();
        var latencies = await TransactionPusher.PushAsync(client, streams);
        var pushed = Stopwatch.GetElapsedTime(started);
        await DrainAsync(worker, rooms);

        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var postgresCpu = ProcessCpu.SecondsOf(await BackendPidsAsync(dataSource, database.DatabaseName)) - postgresCpuBefore;
        var events = expected.Sum(e => e.WithState.Count);
        var statements = profilingStatements ? await StatementProfile.ReadAsync(dataSource, events) : null;
        Progress($"Drained after {elapsed.TotalSeconds:F1} s; verifying");

        var errors = new List<string>();
        var calculator = new StateCalculator(store);
        for (var i = 0; i < rooms.Length; i++)
        {
            errors.AddRange(await OutcomeVerifier.VerifyAsync(store, calculator, rooms[i], expected[i]));
        }

        var extremitiesLeft = 0;
        foreach (var room in rooms)
        {
            extremitiesLeft += (await store.GetForwardExtremitiesAsync(room.RoomId)).Count;
        }

        var requests = remote.Requests.Skip(requestsBefore).Select(r => r.PathAndQuery).ToList();
        int Count(string endpoint) => requests.Count(p => p.StartsWith("/_matrix/federation/v1/" + endpoint, StringComparison.Ordinal));
        var gaps = rooms.Sum(r => r.Gaps.Count);
        var holes = expected.Sum(e => e.Holes);
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        var result = new JsonObject
        {
            ["machine"] = new JsonObject
            {
                ["processors"] = Environment.ProcessorCount,
                ["runtime"] = Environment.Version.ToString(),
                ["load_average"] = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
            },
            ["options"] = JsonSerializer.SerializeToNode(options),
            ["pushed_pdus"] = rooms.Sum(r => r.Pushed.Count),
            ["events_stored_with_state"] = events,
            ["seconds"] = Math.Round(elapsed.TotalSeconds, 2),
            ["seconds_pushing"] = Math.Round(pushed.TotalSeconds, 2),
            ["events_per_second"] = Math.Round(events / elapsed.TotalSeconds),
            ["send_latency_ms"] = new JsonObject
            {
                ["transactions"] = latencies.Count,
                ["p50"] = Math.Round(Percentile(0.50), 1),
                ["p99"] = Math.Round(Percentile(0.99), 1),
                ["max"] = Math.Round(latencies.LastOrDefault(), 1),
            },
            ["gaps"] = gaps,
            ["holes"] = holes,
            ["forward_extremities_left"] = extremitiesLeft,
            ["remote_requests"] = new JsonObject
            {
                ["get_missing_events"] = Count("get_missing_events"),
                ["state_ids"] = Count("state_ids"),
                ["state"] = Count("state/"),
                ["event"] = Count("event/"),
                ["event_auth"] = Count("event_auth"),
                ["get_missing_events_per_gap"] = gaps == 0 ? 0 : Math.Round((double)Count("get_missing_events") / gaps, 2),
                ["requests_per_hole_after_get_missing_events"] = holes == 0 ? 0
                    : Math.Round((double)(Count("state_ids") + Count("state/") + Count("event/") + Count("event_auth")) / holes, 2),
            },
            ["cpu_seconds"] = Math.Round(cpu, 1),
            ["cpu_ms_per_event"] = Math.Round(cpu * 1000 / events, 2),
            ["postgres_backend_cpu_seconds"] = Math.Round(postgresCpu, 1),
            ["postgres_backend_cpu_ms_per_event"] = Math.Round(postgresCpu * 1000 / events, 2),
            ["gc_collections"] = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - gcBefore,
            ["peak_working_set_mb"] = process.PeakWorkingSet64 / (1024 * 1024),
            ["verified"] = errors.Count == 0,
            ["errors"] = new JsonArray([.. errors.Take(20).Select(e => (JsonNode)e)]),
            ["statements"] = statements,
        };
        Console.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        await database.DisposeAsync();
        if (errors.Count > 0)
        {
            Progress($"WRONG RESULT: {errors.Count} differences, the first: {errors[0]}");
            return 1;
        }

        return 0;
    }

    // Rooms generated, served by the remote and opened in our store, and their transactions signed: one list per
    // in-flight stream, round-robin over the stream's rooms, each room's transactions in order.
    private static async Task<(GeneratedRoom[] Rooms, List<IReadOnlyList<SignedTransaction>> Streams)> PrepareAsync(
        FakeHomeserver remote, BenchServer server, DagStore store, IngestBenchOptions options, int events, int seed)
    {
        var perRoom = events / options.Rooms;
        var rooms = new GeneratedRoom[options.Rooms];
        Parallel.For(0, options.Rooms, i => rooms[i] = GeneratedRoom.Generate(remote.Identity, server.Identity, perRoom, options.GapPercent, options.MaxGap, seed + i));
        foreach (var room in rooms)
        {
            RoomHistoryServer.Serve(remote, room.Version, room.RoomId, room.Builder.Events);
            FastStateAnswers.Install(remote, room);
            await LinearHistory.PersistAsync(store, room.Opening);
        }

        Progress("Signing transactions");
        var streams = Enumerable.Range(0, options.TransactionsInFlight).Select(s =>
        {
            var queues = rooms.Where((_, r) => r % options.TransactionsInFlight == s)
                .Select((room, r) => room.Pushed.Chunk(50).Select((pdus, t) =>
                    SignedTransaction.Create(remote, server.Identity.ServerName, $"bench-{room.RoomId}-{t}", pdus)).ToList())
                .ToList();
            return (IReadOnlyList<SignedTransaction>)[.. Enumerable.Range(0, queues.Max(q => q.Count)).SelectMany(t => queues.Where(q => t < q.Count).Select(q => q[t]))];
        }).ToList();
        return (rooms, streams);
    }

    private static async Task DrainAsync(InboundQueueWorker worker, IEnumerable<GeneratedRoom> rooms)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromHours(1));
        foreach (var room in rooms)
        {
            await worker.DrainedAsync(room.RoomId, timeout.Token);
        }
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[{Stopwatch.GetTimestamp() / Stopwatch.Frequency}] {message}");

    private static async Task<int[]> BackendPidsAsync(NpgsqlDataSource dataSource, string databaseName)
    {
        await using var command = dataSource.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = databaseName });
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }
}
