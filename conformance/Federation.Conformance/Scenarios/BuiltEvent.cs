using System.Text.Json.Nodes;

namespace Federation.Conformance.Scenarios;

/// <summary>An event of a scenario's DAG as the remotes send it (possibly broken on purpose), with its computed id.</summary>
public sealed record BuiltEvent(string Name, string EventId, JsonObject Json, bool Withheld)
{
    /// <summary>A fresh copy of the wire JSON, for a response or transaction body.</summary>
    public JsonNode Wire() => Json.DeepClone();
}
