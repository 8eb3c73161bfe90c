using Federation.Conformance.Running;

namespace Federation.Conformance;

/// <summary>Entry point: exit 0 when no scenario failed, 1 when one did, 2 on a usage error.</summary>
internal static class ConformanceMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args is ["-h" or "--help"])
        {
            await Console.Out.WriteLineAsync(RunnerOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        if (!RunnerOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync($"error: {error}\n{RunnerOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var results = await ConformanceRunner.RunAsync(options, Console.Out, cancel.Token).ConfigureAwait(false);
        return results.Any(r => r.Status == ScenarioStatus.Failed) ? 1 : 0;
    }
}
