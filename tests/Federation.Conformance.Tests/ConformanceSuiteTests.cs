using Federation.Conformance.Running;
using Federation.Testing.Postgres;
using Xunit.Abstractions;

namespace Federation.Conformance.Tests;

/// <summary>
/// Runs the whole conformance suite in-process against our own server (on a throwaway database) and the
/// state-resolution fixtures through the state tool, writing the JUnit report to TestResults/conformance-junit.xml.
/// </summary>
public sealed class ConformanceSuiteTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_scenario_passes_against_our_own_server()
    {
        await using var database = await TestPostgresServer.CreateDatabaseAsync("conformance");
        var options = new RunnerOptions
        {
            DatabaseConnectionString = database.ConnectionString,
            ReportPath = Path.Combine(RepositoryLayout.RepositoryRoot, "TestResults", "conformance-junit.xml"),
        };
        using var log = new StringWriter();

        var results = await ConformanceRunner.RunAsync(options, log, CancellationToken.None);
        output.WriteLine(log.ToString());

        Assert.True(results.Count(r => r.Suite == "federation") >= 40, "the built-in suite holds at least 40 scenarios");
        Assert.Contains(results, r => r.Suite.StartsWith("state-res/", StringComparison.Ordinal));
        var unexpected = results.Where(r => r.Status == ScenarioStatus.Failed && r.KnownBug is null).Select(r => r.ToLine()).ToArray();
        Assert.True(unexpected.Length == 0, "failed scenarios:\n" + string.Join("\n", unexpected));
        // A scenario marked with a known server bug must still find it: once the bug is fixed, remove the mark.
        var fixedBugs = results.Where(r => r.KnownBug is not null && r.Status == ScenarioStatus.Passed).Select(r => r.Name).ToArray();
        Assert.True(fixedBugs.Length == 0, "scenarios marked known_bug now pass (remove the mark): " + string.Join(", ", fixedBugs));
    }
}
