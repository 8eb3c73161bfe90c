using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Federation.StateResolution.Benchmarks.Harness;
using Federation.StateResolution.Benchmarks.Workloads;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Benchmarks.Bdn;

/// <summary>
/// BenchmarkDotNet view of W1 (big room, ~100 conflicted events): <c>-- bdn --filter '*BigRoom*'</c>. The JSON suite
/// (<c>-- all</c>) is the reference; these give BenchmarkDotNet's statistics and allocation column for the same rooms.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortConfig))]
public class BigRoomResolutionBenchmarks
{
    private StateResolver? _resolver;
    private IReadOnlyList<StateMap> _sets = [];

    [Params("10", "12")]
    public string Version { get; set; } = "10";

    [Params(10_000, 100_000)]
    public int Members { get; set; }

    [Params(100)]
    public int Conflicted { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var room = ForkedRoom.BuildAsync(BigRoomWorkload.Options(Version, Members)).GetAwaiter().GetResult();
        var fork = room.SelectForkAsync(Conflicted).GetAwaiter().GetResult();
        _sets = fork.Sets;
        _resolver = new StateResolver(room.Graph);
        Console.WriteLine($"// {Members} members, v{Version}: {fork.ConflictedEvents} conflicted events over {fork.ConflictedKeys} keys");
    }

    [Benchmark]
    public StateMap Resolve() => _resolver!.Resolve(_sets);
}

/// <summary>BenchmarkDotNet view of W2 at 2 × 1,000 events: <c>-- bdn --filter '*Netsplit*'</c>.</summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortConfig))]
public class NetsplitResolutionBenchmarks
{
    private StateResolver? _resolver;
    private IReadOnlyList<StateMap> _sets = [];

    [Params("10", "12")]
    public string Version { get; set; } = "10";

    [Params(1_000)]
    public int EventsPerSide { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var room = ForkedRoom.BuildAsync(NetsplitWorkload.Options(Version, 10_000, EventsPerSide)).GetAwaiter().GetResult();
        _sets = room.TipsAsync().GetAwaiter().GetResult().Sets;
        _resolver = new StateResolver(room.Graph);
    }

    [Benchmark]
    public StateMap Resolve() => _resolver!.Resolve(_sets);
}

/// <summary>In-process (the rooms are built once per parameter set), short runs; median and minimum shown because other
/// work on a shared 2-core machine inflates some iterations.</summary>
internal sealed class InProcessShortConfig : ManualConfig
{
    public InProcessShortConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(15)
            .WithId("InProcess"));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
    }
}
