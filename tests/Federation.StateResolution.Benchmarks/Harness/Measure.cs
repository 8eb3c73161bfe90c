using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Federation.StateResolution.Benchmarks.Harness;

/// <summary>Timings and allocations of repeated runs of one operation.</summary>
internal sealed class Sample
{
    public Sample(double[] ms, long[] allocated, double cpuMs, int gen0, int gen2)
    {
        Ms = ms;
        Allocated = allocated;
        CpuMsTotal = cpuMs;
        Gen0Collections = gen0;
        Gen2Collections = gen2;
    }

    /// <summary>Wall milliseconds per run.</summary>
    public double[] Ms { get; }

    /// <summary>Bytes allocated by the benchmark thread per run.</summary>
    public long[] Allocated { get; }

    /// <summary>Process CPU milliseconds over all runs (Linux counts it in 10 ms ticks, so only meaningful in bulk).</summary>
    public double CpuMsTotal { get; }

    public int Gen0Collections { get; }

    public int Gen2Collections { get; }

    public int Count => Ms.Length;

    public double P50 => Percentile(Ms, 0.50);

    public double P95 => Percentile(Ms, 0.95);

    public double Min => Ms.Min();

    public double Max => Ms.Max();

    public double Mean => Ms.Average();

    public double CpuMean => CpuMsTotal / Ms.Length;

    public long AllocatedP50 => (long)Percentile([.. Allocated.Select(a => (double)a)], 0.50);

    public long AllocatedMax => Allocated.Max();

    public static double Percentile(double[] values, double p)
    {
        var sorted = values.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public JsonObject ToJson() => new()
    {
        ["runs"] = Count,
        ["p50_ms"] = Json.Round(P50),
        ["p95_ms"] = Json.Round(P95),
        ["min_ms"] = Json.Round(Min),
        ["max_ms"] = Json.Round(Max),
        ["mean_ms"] = Json.Round(Mean),
        ["cpu_mean_ms"] = Json.Round(CpuMean),
        ["allocated_bytes_p50"] = AllocatedP50,
        ["allocated_bytes_max"] = AllocatedMax,
        ["gen0_collections"] = Gen0Collections,
        ["gen2_collections"] = Gen2Collections,
    };
}

internal static class Measure
{
    private const int MinWarmupRuns = 200;
    private const double WarmupSeconds = 2.0;
    private const double MaxWarmupSeconds = 20.0;

    /// <summary>
    /// Runs <paramref name="action"/> <paramref name="warmup"/> times unmeasured, then at least
    /// <paramref name="minRuns"/> and at most <paramref name="maxRuns"/> times, stopping after
    /// <paramref name="minSeconds"/> once the minimum is reached.
    /// </summary>
    public static Sample Repeat(Action action, int warmup, int minRuns, int maxRuns, double minSeconds)
    {
        // Warm up to steady state: tiered compilation moves a method to optimised code only after 30 (instrumented tier)
        // and 30 more calls (tier 1 with PGO), each time after a quiet period, and much of a resolution runs in methods
        // called once per resolution; on a loaded machine the background compiles also wait for CPU. So at least
        // MinWarmupRuns runs and WarmupSeconds, whatever the caller asked, capped at MaxWarmupSeconds.
        var warmupStarted = Stopwatch.GetTimestamp();
        for (var i = 0; ; i++)
        {
            var elapsed = Stopwatch.GetElapsedTime(warmupStarted).TotalSeconds;
            if ((i >= Math.Max(warmup, MinWarmupRuns) && elapsed >= WarmupSeconds) || (i >= warmup && elapsed >= MaxWarmupSeconds))
            {
                break;
            }

            action();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var ms = new List<double>();
        var allocated = new List<long>();
        var gen0 = GC.CollectionCount(0);
        var gen2 = GC.CollectionCount(2);
        using var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        while (ms.Count < maxRuns && (ms.Count < minRuns || Stopwatch.GetElapsedTime(started).TotalSeconds < minSeconds))
        {
            var a0 = GC.GetAllocatedBytesForCurrentThread();
            var t0 = Stopwatch.GetTimestamp();
            action();
            var t1 = Stopwatch.GetTimestamp();
            var a1 = GC.GetAllocatedBytesForCurrentThread();
            ms.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            allocated.Add(a1 - a0);
        }

        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
        return new Sample([.. ms], [.. allocated], cpu, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2);
    }

    /// <summary>One timed run: wall milliseconds and bytes allocated by this thread.</summary>
    public static (T Result, double Ms, long Allocated) Once<T>(Func<T> action)
    {
        var a0 = GC.GetAllocatedBytesForCurrentThread();
        var t0 = Stopwatch.GetTimestamp();
        var result = action();
        var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        return (result, elapsed, GC.GetAllocatedBytesForCurrentThread() - a0);
    }

    /// <summary>One timed asynchronous run.</summary>
    public static async Task<(T Result, double Ms, long Allocated)> OnceAsync<T>(Func<Task<T>> action)
    {
        var a0 = GC.GetAllocatedBytesForCurrentThread();
        var t0 = Stopwatch.GetTimestamp();
        var result = await action();
        var elapsed = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        return (result, elapsed, GC.GetAllocatedBytesForCurrentThread() - a0);
    }

    /// <summary>The managed heap after a full collection.</summary>
    public static long HeapAfterCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    public static long PeakWorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }
}
