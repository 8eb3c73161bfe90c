using System.Text.Json;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Documents;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;
using Federation.StateResolution.Tests.Support;

namespace Federation.StateResolution.Tests.Conformance;

/// <summary>Runs every fixture under conformance/state-res (one test case per file, named by its relative path).</summary>
public class ConformanceFixtureTests
{
    private static string FixtureRoot => Path.Combine(RepositoryRoot.Path, "conformance", "state-res");

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        if (Directory.Exists(FixtureRoot))
        {
            foreach (var file in Directory.EnumerateFiles(FixtureRoot, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetRelativePath(FixtureRoot, file).Replace('\\', '/'));
            }
        }

        return data;
    }

    [Fact]
    public void The_fixture_folder_holds_fixtures() => Assert.NotEmpty(Fixtures());

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Fixture_resolves_to_the_expected_state(string fixture)
    {
        using var json = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(FixtureRoot, fixture)));
        var root = json.RootElement;
        var document = RoomDocument.Parse(root);
        var trustDag = root.TryGetProperty("trust_dag", out var t) && t.ValueKind == JsonValueKind.True;
        var session = await RoomSession.BuildAsync(document, trustDag || document.StateSets is not null ? DagMode.TrustDag : DagMode.RejectUnauthorised);

        StateMap result;
        if (document.StateSets is not null)
        {
            result = new StateResolver(session.Graph).Resolve(session.StateSets);
        }
        else
        {
            var at = root.GetProperty("at").GetString()!;
            var after = root.TryGetProperty("after", out var a) && a.ValueKind == JsonValueKind.True;
            result = after ? await session.Dag.StateAfterAsync(at) : await session.Dag.StateBeforeAsync(at);
        }

        var actual = session.Graph.ToEntries(result).Select(e => (e.Key.Type, e.Key.Key, e.Value)).ToList();
        var expected = root.GetProperty("expected");
        var problems = new List<string>();
        if (expected.TryGetProperty("state", out var state))
        {
            var wanted = Triples(state);
            problems.AddRange(wanted.Except(actual).Select(e => $"missing {Show(e)}"));
            problems.AddRange(actual.Except(wanted).Select(e => $"unexpected {Show(e)}"));
        }

        if (expected.TryGetProperty("state_contains", out var contains))
        {
            problems.AddRange(Triples(contains).Except(actual).Select(e => $"missing {Show(e)}"));
        }

        if (expected.TryGetProperty("state_has_keys", out var hasKeys))
        {
            foreach (var key in hasKeys.EnumerateArray())
            {
                if (!actual.Any(e => e.Type == key[0].GetString() && e.Key == key[1].GetString()))
                {
                    problems.Add($"missing key ({key[0]}, '{key[1]}')");
                }
            }
        }

        if (expected.TryGetProperty("state_lacks", out var lacks))
        {
            foreach (var key in lacks.EnumerateArray())
            {
                if (actual.FirstOrDefault(e => e.Type == key[0].GetString() && e.Key == key[1].GetString()) is { Type: not null } present)
                {
                    problems.Add($"key should be absent: {Show(present)}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{fixture}:\n  " + string.Join("\n  ", problems) + "\nactual state:\n  " + string.Join("\n  ", actual.Select(Show)));
    }

    private static List<(string Type, string Key, string Value)> Triples(JsonElement list) =>
        [.. list.EnumerateArray().Select(e => (e[0].GetString()!, e[1].GetString()!, e[2].GetString()!))];

    private static string Show((string Type, string Key, string Value) entry) => $"[{entry.Type}, '{entry.Key}', {entry.Value}]";
}
