namespace Federation.Storage.Tests.Dag.Benchmarks;

/// <summary>A fact that only runs when <c>FEDERATION_STORAGE_BENCH=1</c>: measurements, not pass/fail tests.</summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public const string EnvironmentVariable = "FEDERATION_STORAGE_BENCH";

    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) != "1")
        {
            Skip = $"Benchmark: set {EnvironmentVariable}=1 to run.";
        }
    }
}
