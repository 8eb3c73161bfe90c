using System.Globalization;

namespace Federation.Ingest.Benchmarks;

/// <summary>The command line: <c>--events N --warmup N --gap-percent P --transactions-in-flight T --rooms R [--quick] [--seed S]</c>.</summary>
public sealed record IngestBenchOptions
{
    public int Events { get; init; } = 100_000;

    /// <summary>Events pushed first, in rooms of their own and unmeasured, so that the measured run finds the code
    /// compiled as on a running server; 0 measures a cold start.</summary>
    public int WarmupEvents { get; init; } = 10_000;

    /// <summary>Share of the generated events withheld from the pushes (they must be pulled, or end behind a hole).</summary>
    public double GapPercent { get; init; } = 10;

    /// <summary>Transactions in flight at once; each in-flight stream sends its rooms' transactions in order.</summary>
    public int TransactionsInFlight { get; init; } = 4;

    public int Rooms { get; init; } = 4;

    public int Seed { get; init; } = 20_261_121;

    /// <summary>Longest gap generated (a gap longer than the server's <c>/get_missing_events</c> limit leaves a hole).</summary>
    public int MaxGap { get; init; } = 20;

    public static IngestBenchOptions Parse(string[] args)
    {
        var options = new IngestBenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options with { Events = 2_000, WarmupEvents = 0, Rooms = 2, TransactionsInFlight = 2 },
                "--warmup" => options with { WarmupEvents = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--events" => options with { Events = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--gap-percent" => options with { GapPercent = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--transactions-in-flight" => options with { TransactionsInFlight = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--rooms" => options with { Rooms = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seed" => options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--max-gap" => options with { MaxGap = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"Unknown option {args[i]}"),
            };
        }

        return options with { TransactionsInFlight = Math.Clamp(options.TransactionsInFlight, 1, options.Rooms) };
    }
}
