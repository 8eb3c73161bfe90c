using System.Text.Json.Nodes;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// One scenario file (format in conformance/README.md), kept as JSON: the runner reads its parts when it needs them,
/// so the format can grow without a model class per key.
/// </summary>
public sealed class Scenario
{
    private Scenario(string name, string path, JsonObject json)
    {
        Name = name;
        Path = path;
        Json = json;
    }

    public string Name { get; }

    /// <summary>The file it was read from.</summary>
    public string Path { get; }

    public JsonObject Json { get; }

    public string Description => Json["description"]?.GetValue<string>() ?? "";

    /// <summary>The spec section (or sections) the scenario checks.</summary>
    public string Spec => Json["spec"]?.GetValue<string>() ?? "";

    /// <summary>Why the scenario is skipped on our server, when it is (a documented, deliberate difference).</summary>
    public string? SkipOnOwnServer => Json["skip_own_server"]?.GetValue<string>();

    /// <summary>The remotes the scenario uses, alias → settings (<c>users</c>, <c>join</c>); r1 with @alice when absent.</summary>
    public IReadOnlyList<(string Alias, JsonObject Settings)> Remotes =>
        Json["remotes"] is JsonObject remotes
            ? [.. remotes.Select(r => (r.Key, r.Value as JsonObject ?? []))]
            : [("r1", new JsonObject())];

    /// <summary>Reads <paramref name="path"/>; the scenario's name is the file name without extension.</summary>
    public static Scenario Load(string path)
    {
        var json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject
            ?? throw new FormatException($"{path}: a scenario is a JSON object");
        foreach (var required in new[] { "spec", "steps" })
        {
            if (json[required] is null)
            {
                throw new FormatException($"{path}: missing \"{required}\"");
            }
        }

        return new Scenario(System.IO.Path.GetFileNameWithoutExtension(path), path, json);
    }
}
