using System.Text.Json.Nodes;

namespace Federation.Conformance.Remotes;

/// <summary>A request the target sent to one of the runner's remotes.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, JsonNode? Body)
{
    /// <summary>The values of query parameter <paramref name="name"/>, decoded.</summary>
    public IEnumerable<string> QueryValues(string name) =>
        Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => Uri.UnescapeDataString(pair[0]) == name)
            .Select(pair => pair.Length == 2 ? Uri.UnescapeDataString(pair[1]) : "");
}
