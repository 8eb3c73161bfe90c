using Federation.Conformance.Remotes;
using Federation.Conformance.Reporting;
using Federation.Conformance.Scenarios;
using Federation.Conformance.StateRes;
using Federation.Conformance.Target;

namespace Federation.Conformance.Running;

/// <summary>
/// The whole run: loads the scenarios, starts the remotes, starts our own server unless a target is given, runs every
/// scenario and state-resolution fixture one after the other (one line each), and writes the JUnit report.
/// </summary>
public static class ConformanceRunner
{
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(RunnerOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var time = TimeProvider.System;
        var scenarios = LoadScenarios(options).Where(s => Matches(options, s.Suite, s.Scenario.Name)).ToList();
        var results = new List<ScenarioResult>();
        if (scenarios.Count > 0)
        {
            await RunScenariosAsync(options, scenarios, results, output, time, cancellationToken).ConfigureAwait(false);
        }

        if (options.RunStateResolutionFixtures)
        {
            results.AddRange(await RunStateResolutionFixturesAsync(options, output, time, cancellationToken).ConfigureAwait(false));
        }

        await output.WriteLineAsync(
            $"{results.Count(r => r.Status == ScenarioStatus.Passed)} passed, {results.Count(r => r.Status == ScenarioStatus.Failed)} failed, "
                + $"{results.Count(r => r.Status == ScenarioStatus.Skipped)} skipped").ConfigureAwait(false);
        if (options.ReportPath is not null)
        {
            JUnitReport.Write(options.ReportPath, results);
        }

        return results;
    }

    private static async Task RunScenariosAsync(
        RunnerOptions options, List<(string Suite, Scenario Scenario)> scenarios, List<ScenarioResult> results, TextWriter output, TimeProvider time,
        CancellationToken cancellationToken)
    {
        await using var pool = await RemotePool.StartAsync(scenarios.Select(s => s.Scenario), options.RemotePort).ConfigureAwait(false);
        OwnServer? own = null;
        try
        {
            TargetServer target;
            if (options.Target is null)
            {
                own = new OwnServer(pool.Addresses, options.DatabaseConnectionString);
                target = own.Start();
                await output.WriteLineAsync($"target: our own server at {target.BaseAddress} ({target.ServerName})").ConfigureAwait(false);
            }
            else
            {
                target = new TargetServer(options.Target, options.ServerName!, options.SharedSecret!);
                await output.WriteLineAsync($"target: {target.BaseAddress} ({target.ServerName}); it must reach the remotes at:").ConfigureAwait(false);
                foreach (var (name, address) in pool.Addresses)
                {
                    await output.WriteLineAsync($"  {name} -> {address}").ConfigureAwait(false);
                }
            }

            using var client = await ClientApi.RegisterAsync(target, "conformance" + Guid.NewGuid().ToString("N")[..8], cancellationToken).ConfigureAwait(false);
            var runner = new ScenarioRunner(target, client, pool, own is not null, time);
            foreach (var (suite, scenario) in scenarios)
            {
                var result = await runner.RunAsync(scenario, suite).ConfigureAwait(false);
                results.Add(result);
                await output.WriteLineAsync(result.ToLine()).ConfigureAwait(false);
            }
        }
        finally
        {
            if (own is not null)
            {
                await own.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<List<ScenarioResult>> RunStateResolutionFixturesAsync(
        RunnerOptions options, TextWriter output, TimeProvider time, CancellationToken cancellationToken)
    {
        var results = new List<ScenarioResult>();
        var root = Path.Combine(options.ConformanceRoot, "state-res");
        if (!Directory.Exists(root))
        {
            return results;
        }

        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file);
            if (!Matches(options, "state-res/" + Path.GetDirectoryName(relative), Path.GetFileNameWithoutExtension(file)))
            {
                continue;
            }

            var started = time.GetTimestamp();
            var problem = await StateResFixture.ProblemAsync(file, cancellationToken).ConfigureAwait(false);
            var result = StateResFixture.Result(root, file, problem, time.GetElapsedTime(started));
            results.Add(result);
            await output.WriteLineAsync(result.ToLine()).ConfigureAwait(false);
        }

        return results;
    }

    private static IEnumerable<(string Suite, Scenario Scenario)> LoadScenarios(RunnerOptions options)
    {
        var builtIn = Path.Combine(options.ConformanceRoot, "scenarios");
        var directories = new List<(string Suite, string Directory)>();
        if (Directory.Exists(builtIn))
        {
            directories.Add(("federation", builtIn));
        }

        directories.AddRange(options.ScenarioDirectories.Select(d => (new DirectoryInfo(d).Name, d)));
        foreach (var (suite, directory) in directories)
        {
            foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                yield return (suite, Scenario.Load(file));
            }
        }
    }

    private static bool Matches(RunnerOptions options, string suite, string name) =>
        options.Filter is null || $"{suite}/{name}".Contains(options.Filter, StringComparison.OrdinalIgnoreCase);
}
