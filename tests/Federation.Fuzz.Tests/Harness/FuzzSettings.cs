using System.Globalization;
using System.Security.Cryptography;

namespace Federation.Fuzz.Tests.Harness;

/// <summary>
/// The environment variables that steer a run. CI sets none of them and so always tries the same inputs (a failure
/// there is never a flake); a long run raises the budget and may draw a fresh seed.
/// </summary>
public static class FuzzSettings
{
    /// <summary>The run seed, a decimal number or <c>random</c>; unset means <see cref="DefaultSeed"/>.</summary>
    public const string SeedVariable = "FEDERATION_FUZZ_SEED";

    /// <summary>Inputs per test; unset means each test's CI budget.</summary>
    public const string IterationsVariable = "FEDERATION_FUZZ_ITERATIONS";

    /// <summary>Replays one input by its index (as printed in a failure), skipping every other.</summary>
    public const string InputVariable = "FEDERATION_FUZZ_INPUT";

    public const ulong DefaultSeed = 20_260_101;

    /// <summary>The seed of this process's run, drawn once when <see cref="SeedVariable"/> is <c>random</c>.</summary>
    public static ulong Seed { get; } = ReadSeed();

    /// <summary>The number of inputs a test tries: its CI budget unless <see cref="IterationsVariable"/> says otherwise.</summary>
    public static long Iterations(long ciBudget) =>
        ReadNumber(IterationsVariable) is { } iterations ? (long)iterations : ciBudget;

    /// <summary>The one input to replay, if any.</summary>
    public static long? OnlyInput => ReadNumber(InputVariable) is { } index ? (long)index : null;

    private static ulong ReadSeed()
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable);
        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase))
        {
            return BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) % 1_000_000_000_000UL;
        }

        return ReadNumber(SeedVariable) ?? DefaultSeed;
    }

    private static ulong? ReadNumber(string variable)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return ulong.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"{variable} must be a non-negative integer, got '{text}'");
    }
}
