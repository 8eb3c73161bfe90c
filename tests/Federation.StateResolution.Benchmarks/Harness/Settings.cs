namespace Federation.StateResolution.Benchmarks.Harness;

/// <summary>How often each measured operation runs.</summary>
internal sealed record Settings(int Warmup, int MinRuns, int MaxRuns, double MinSeconds)
{
    /// <summary>Sub-millisecond operations: many runs for stable percentiles.</summary>
    public static Settings Fast { get; } = new(Warmup: 50, MinRuns: 300, MaxRuns: 5_000, MinSeconds: 1.5);

    public static Settings FastQuick { get; } = new(Warmup: 10, MinRuns: 50, MaxRuns: 500, MinSeconds: 0.2);
}

internal static class Progress
{
    /// <summary>Progress goes to stderr; stdout carries only the JSON result.</summary>
    public static void Say(string message) => Console.Error.WriteLine($"[{TimeProvider.System.GetLocalNow():HH:mm:ss}] {message}");
}
