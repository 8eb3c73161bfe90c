using System.Text.Json.Nodes;
using Federation.Cli;
using Federation.Conformance.Running;

namespace Federation.Conformance.StateRes;

/// <summary>
/// Runs one state-resolution fixture of conformance/state-res through the state tool (<c>federation resolve</c> or
/// <c>federation state</c>, in-process) and compares its output with the fixture's <c>expected</c> (format in
/// conformance/state-res/README.md).
/// </summary>
public static class StateResFixture
{
    public static async Task<string?> ProblemAsync(string file, CancellationToken cancellationToken)
    {
        var fixture = JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false))!.AsObject();
        List<string> args = fixture["state_sets"] is not null ? ["resolve", file] : ["state", file, "--at", fixture["at"]!.GetValue<string>()];
        if (fixture["after"]?.GetValue<bool>() ?? false)
        {
            args.Add("--after");
        }

        if (fixture["trust_dag"]?.GetValue<bool>() ?? false)
        {
            args.Add("--trust-dag");
        }

        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync([.. args], stdout, stderr, cancellationToken).ConfigureAwait(false);
        if (exit != CliApp.Success)
        {
            return $"federation {string.Join(' ', args.Take(1))} exited {exit}: {stderr.ToString().Trim()}";
        }

        var actual = Triples(JsonNode.Parse(stdout.ToString())!["state"]);
        var expected = fixture["expected"]!;
        var problems = new List<string>();
        if (expected["state"] is { } state)
        {
            var wanted = Triples(state);
            problems.AddRange(wanted.Except(actual).Select(e => $"missing {e}"));
            problems.AddRange(actual.Except(wanted).Select(e => $"unexpected {e}"));
        }

        if (expected["state_contains"] is { } contains)
        {
            problems.AddRange(Triples(contains).Except(actual).Select(e => $"missing {e}"));
        }

        foreach (var key in expected["state_has_keys"] as JsonArray ?? [])
        {
            if (!actual.Any(e => e.StartsWith(KeyPrefix(key!), StringComparison.Ordinal)))
            {
                problems.Add($"missing key {KeyPrefix(key!)}");
            }
        }

        foreach (var key in expected["state_lacks"] as JsonArray ?? [])
        {
            if (actual.FirstOrDefault(e => e.StartsWith(KeyPrefix(key!), StringComparison.Ordinal)) is { } present)
            {
                problems.Add($"should be absent: {present}");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    private static string KeyPrefix(JsonNode key) => $"[{key[0]}, '{key[1]}', ";

    private static List<string> Triples(JsonNode? list) =>
        [.. (list as JsonArray ?? []).Select(e => $"[{e![0]}, '{e[1]}', {e[2]}]")];

    /// <summary>The result line of a fixture (suite = its folder).</summary>
    public static ScenarioResult Result(string root, string file, string? problem, TimeSpan duration)
    {
        var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
        var suite = "state-res/" + (Path.GetDirectoryName(relative) ?? "").Replace('\\', '/');
        var version = JsonNode.Parse(File.ReadAllText(file))?["room_version"]?.GetValue<string>() ?? "?";
        return new ScenarioResult(
            Path.GetFileNameWithoutExtension(file), suite, problem is null ? ScenarioStatus.Passed : ScenarioStatus.Failed, problem ?? "",
            $"room version {version} state resolution", duration);
    }
}
