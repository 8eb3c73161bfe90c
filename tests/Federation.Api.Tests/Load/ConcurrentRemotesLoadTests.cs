using System.Diagnostics;
using System.Globalization;
using Federation.Ingest;
using Federation.Ingest.Queue;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Federation.Api.Tests.Load;

/// <summary>
/// Several remotes push into many rooms at once, over loopback, each with its own key: a bounded load that runs in CI.
/// Afterwards every room holds exactly its remote's events, and memory stayed bounded; throughput and <c>/send</c>
/// latency are reported, not asserted. <c>FEDERATION_LOAD_SCALE</c> multiplies the events per room for longer runs.
/// </summary>
[Collection(LoadRunsAlone.Name)]
public sealed class ConcurrentRemotesLoadTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private const int Remotes = 4;
    private const int RoomsPerRemote = 2;
    private const int EventsPerRoom = 300;
    private const int Seed = 20_261_122;

    // Generous: several times the peaks of the longer runs (where most of the heap is the test's own generated rooms),
    // so they catch a runaway queue or cache, not a few MiB more.
    private const long ManagedHeapBound = 1L << 30;
    private const long WorkingSetBound = 3L << 30;

    private static int Scale =>
        int.TryParse(Environment.GetEnvironmentVariable("FEDERATION_LOAD_SCALE"), CultureInfo.InvariantCulture, out var scale) && scale > 0 ? scale : 1;

    [Fact]
    public async Task Remotes_pushing_into_many_rooms_at_once_leave_every_event_stored_once_and_each_room_as_its_remote_holds_it()
    {
        var remotes = await Task.WhenAll(Enumerable.Range(0, Remotes).Select(i => FakeHomeserver.StartAsync($"load{i}.test")));
        try
        {
            await PushAndCheckAsync(remotes);
        }
        finally
        {
            foreach (var remote in remotes)
            {
                await remote.DisposeAsync();
            }
        }
    }

    private async Task PushAndCheckAsync(FakeHomeserver[] remotes)
    {
        using var server = new FederationServerFactory(database).OverLoopback();
        foreach (var remote in remotes)
        {
            server.Settings[$"FederationClient:Destinations:{remote.ServerName}"] = remote.BaseAddress.ToString();
        }

        server.Settings["FederationClient:MaxRetries"] = "0";
        // An information line per event would measure the console, not the server.
        server.Settings["Logging:LogLevel:Default"] = "Warning";
        await using var dataSource = StoreDataSource.Create(database.ConnectionString);
        var store = new DagStore(dataSource);
        using var client = server.CreateClient();
        var limit = server.Services.GetRequiredService<IOptions<IngestOptions>>().Value.MissingEventsLimit;
        var loads = new RemoteLoad[Remotes];
        Parallel.For(0, Remotes, i => loads[i] = RemoteLoad.Plan(remotes[i], server.Identity, RoomsPerRemote, EventsPerRoom * Scale, limit, Seed + (i * RoomsPerRemote)));
        var rooms = loads.SelectMany(l => l.Rooms).ToList();
        foreach (var room in rooms)
        {
            await LinearHistory.PersistAsync(store, room.Opening);
        }

        var sampler = ResourceSampler.Start(TimeSpan.FromMilliseconds(50));
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var latencies = await TransactionPusher.PushAsync(client, [.. loads.Select(l => l.Transactions)]);
        var pushing = Stopwatch.GetElapsedTime(started);
        var worker = server.Services.GetRequiredService<InboundQueueWorker>();
        using (var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2) * Scale))
        {
            foreach (var room in rooms)
            {
                await worker.DrainedAsync(room.RoomId, deadline.Token);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        await sampler.DisposeAsync();

        await StoredRooms.AssertConsistentAsync(dataSource, rooms.Select(r => r.Builder));
        Assert.InRange(sampler.PeakManagedHeapBytes, 0, ManagedHeapBound);
        Assert.InRange(sampler.PeakWorkingSetBytes, 0, WorkingSetBound);

        var received = rooms.Sum(r => r.Stream.Count);
        var requests = remotes.SelectMany(r => r.Requests).ToList();
        int Count(string endpoint) => requests.Count(q => q.PathAndQuery.StartsWith("/_matrix/federation/v1/" + endpoint, StringComparison.Ordinal));
        latencies.Sort();
        double Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            {Remotes} remotes x {RoomsPerRemote} rooms, {received} events ({rooms.Sum(r => r.Pushed.Count)} pushed, {received - rooms.Sum(r => r.Pushed.Count)} withheld and pulled), scale {Scale}
            {latencies.Count} transactions ({loads.Sum(l => l.Swapped)} pairs out of order, {loads.Sum(l => l.Replayed)} replayed with their id, {loads.Sum(l => l.Resent)} resent under a new id)
            {elapsed.TotalSeconds:F1} s to drain ({pushing.TotalSeconds:F1} s pushing): {received / elapsed.TotalSeconds:F0} events/s; {cpu.TotalSeconds:F1} s CPU in this process (server and remotes), {cpu.TotalMilliseconds / received:F1} ms an event
            /send latency ms: p50 {Percentile(0.50):F1}, p99 {Percentile(0.99):F1}, max {latencies[^1]:F1}
            remote requests: {Count("get_missing_events")} get_missing_events, {Count("state_ids")} state_ids, {Count("event/")} event, {Count("event_auth")} event_auth
            peak working set {sampler.PeakWorkingSetBytes >> 20} MiB, peak managed heap {sampler.PeakManagedHeapBytes >> 20} MiB ({sampler.Samples} samples); load average {LoadAverage()}
            """));
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "unknown";
}
