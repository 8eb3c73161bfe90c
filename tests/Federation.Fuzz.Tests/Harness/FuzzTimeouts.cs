namespace Federation.Fuzz.Tests.Harness;

/// <summary>
/// The xunit timeout of every fuzz test. A CI budget takes a few seconds; the timeout is what turns a parser that
/// hangs on some input into a failed test instead of a stuck run. Long runs (raised budgets) are not bounded.
/// </summary>
public static class FuzzTimeouts
{
    public const int PerTest = 20 * 60 * 1000;
}
