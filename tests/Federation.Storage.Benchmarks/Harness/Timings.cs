using System.Globalization;
using System.Text.Json.Nodes;

namespace Federation.Storage.Benchmarks.Harness;

/// <summary>Wall-clock milliseconds of repeated runs of one operation, summarised as JSON.</summary>
internal sealed class Timings
{
    private readonly List<double> ms = [];

    public int Count => ms.Count;

    public void Add(TimeSpan elapsed) => ms.Add(elapsed.TotalMilliseconds);

    public double Percentile(double p)
    {
        var sorted = ms.Order().ToArray();
        var rank = p * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    public JsonObject ToJson() => new()
    {
        ["runs"] = ms.Count,
        ["median_ms"] = Round(Percentile(0.5)),
        ["p95_ms"] = Round(Percentile(0.95)),
        ["min_ms"] = Round(ms.Min()),
        ["max_ms"] = Round(ms.Max()),
    };

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"median {Percentile(0.5):F2} ms, p95 {Percentile(0.95):F2} ms, min {ms.Min():F2} ms (n={ms.Count})");

    public static double Round(double value) => Math.Round(value, 3, MidpointRounding.AwayFromZero);
}
