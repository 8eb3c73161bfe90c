using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Federation.Fuzz.Tests.Harness;

/// <summary>
/// Runs one fuzz test: draws each input from its own seeded generator, checks the property on it and reports how many
/// inputs were tried. Failures do not stop the run; the first few are reported together at the end, each with the
/// command that replays it.
/// </summary>
/// <param name="test">The test's name, which also selects its inputs (see <see cref="FuzzRandom.ForInput"/>).</param>
/// <param name="ciBudget">Inputs tried when <see cref="FuzzSettings.IterationsVariable"/> is not set.</param>
/// <param name="output">Where the inputs tried and the seed are reported.</param>
public sealed class FuzzRun(string test, long ciBudget, ITestOutputHelper output)
{
    private const int ReportedFailures = 10;

    /// <summary>
    /// Checks <paramref name="property"/> on every input. The property returns whether the parser accepted the input
    /// (counted for the report) and throws when it broke: a parser exception it must not throw, or a
    /// <see cref="PropertyViolationException"/>. Each check may allocate at most <see cref="AllocationLimit"/> for its input's
    /// <paramref name="size"/>, so an input cannot make a parser's memory grow out of proportion.
    /// </summary>
    public void Check<T>(Func<FuzzRandom, T> generate, Func<T, bool> property, Func<T, int> size, Func<T, string> describe)
    {
        ArgumentNullException.ThrowIfNull(generate);
        ArgumentNullException.ThrowIfNull(property);
        ArgumentNullException.ThrowIfNull(size);
        ArgumentNullException.ThrowIfNull(describe);
        var seed = FuzzSettings.Seed;
        var iterations = FuzzSettings.Iterations(ciBudget);
        var only = FuzzSettings.OnlyInput;
        // The first input of each distinct failure, by signature: one bug tends to fail many inputs the same way.
        var failures = new Dictionary<string, (long Count, string Example)>(StringComparer.Ordinal);
        long tried = 0, accepted = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        var checking = TimeSpan.Zero;
        var slowest = (Index: 0L, Time: TimeSpan.Zero);
        for (var index = only ?? 0; index < (only + 1 ?? iterations); index++)
        {
            var input = generate(FuzzRandom.ForInput(seed, test, index));
            tried++;
            var started = clock.Elapsed;
            try
            {
                var before = GC.GetAllocatedBytesForCurrentThread();
                accepted += property(input) ? 1 : 0;
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                var limit = AllocationLimit(size(input));
                PropertyViolationException.Unless(allocated <= limit, $"allocated {allocated} bytes for a {size(input)}-byte input (limit {limit})");
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failed++;
                var signature = Signature(e);
                if (failures.TryGetValue(signature, out var known))
                {
                    failures[signature] = (known.Count + 1, known.Example);
                }
                else if (failures.Count < ReportedFailures)
                {
                    failures[signature] = (1, DescribeFailure(index, seed, e, describe(input)));
                }
            }

            // Reported, never asserted: the slowest input is where to look when a long run slows down or hangs.
            var took = clock.Elapsed - started;
            checking += took;
            slowest = took > slowest.Time ? (index, took) : slowest;
        }

        var summary = string.Create(
            CultureInfo.InvariantCulture,
            $"{test}: {tried} inputs tried ({accepted} accepted, {tried - accepted - failed} refused, {failed} failed), seed {seed}, "
            + $"{clock.Elapsed.TotalSeconds:F1} s ({checking.TotalSeconds:F1} s checking; slowest input #{slowest.Index}, {slowest.Time.TotalMilliseconds:F0} ms)");
        output.WriteLine(summary);
        if (failed > 0)
        {
            var report = failures.Select(f => string.Create(CultureInfo.InvariantCulture, $"=== {f.Value.Count} × {f.Key}{Environment.NewLine}{f.Value.Example}"));
            throw new FuzzFailureException(summary + Environment.NewLine + string.Join(Environment.NewLine, report));
        }
    }

    /// <summary>
    /// The most a check may allocate: a fixed allowance for the parse trees, hashes and signing inputs of a small input,
    /// plus a multiple of the input's size that covers a few copies of it, never a blow-up.
    /// </summary>
    public static long AllocationLimit(int inputSize) => (4L << 20) + (128L * inputSize);

    /// <summary>What tells failures apart: the exception type and the innermost frame of the code under test.</summary>
    private static string Signature(Exception e)
    {
        if (e is PropertyViolationException)
        {
            return "property: " + new string([.. e.Message.Where(c => !char.IsAsciiDigit(c)).Take(80)]);
        }

        var frame = new StackTrace(e).GetFrames().Select(f => f.GetMethod()).FirstOrDefault(m =>
            m?.DeclaringType?.Namespace is { } ns && ns.StartsWith("Federation.", StringComparison.Ordinal)
            && !ns.StartsWith("Federation.Fuzz", StringComparison.Ordinal));
        return $"{e.GetType().Name} in {frame?.DeclaringType?.Name}.{frame?.Name}";
    }

    private string DescribeFailure(long index, ulong seed, Exception e, string input) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"""
            --- input #{index}: {e.GetType().FullName}: {e.Message}
            replay: {FuzzSettings.SeedVariable}={seed} {FuzzSettings.InputVariable}={index} dotnet test tests/Federation.Fuzz.Tests --filter {test}
            input: {input}
            {e.StackTrace}
            """);

    /// <summary>A printable, bounded rendering of an input for a failure report.</summary>
    public static string Printable(ReadOnlySpan<byte> utf8)
    {
        const int Shown = 600;
        var text = new StringBuilder();
        foreach (var b in utf8[..Math.Min(utf8.Length, Shown)])
        {
            text.Append(b is >= 0x20 and < 0x7F ? (char)b : $"\\x{b:x2}");
        }

        return utf8.Length > Shown ? text.Append(CultureInfo.InvariantCulture, $"… ({utf8.Length} bytes)").ToString() : text.ToString();
    }

    /// <summary>A printable, bounded rendering of a string input (non-ASCII and controls as <c>\uXXXX</c>).</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int Shown = 600;
        var result = new StringBuilder();
        foreach (var c in text.AsSpan(0, Math.Min(text.Length, Shown)))
        {
            result.Append(c is >= ' ' and < '\x7F' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return text.Length > Shown ? result.Append(CultureInfo.InvariantCulture, $"… ({text.Length} chars)").ToString() : result.ToString();
    }
}
