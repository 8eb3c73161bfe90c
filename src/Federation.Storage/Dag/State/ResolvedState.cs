namespace Federation.Storage.Dag.State;

/// <summary>A group's whole state as a map from slot nid to event nid.</summary>
internal sealed class ResolvedState(Dictionary<long, long> map)
{
    public Dictionary<long, long> Map { get; } = map;

    public int Count => Map.Count;
}
