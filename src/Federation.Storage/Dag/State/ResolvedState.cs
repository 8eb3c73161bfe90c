namespace Federation.Storage.Dag.State;

/// <summary>A group's whole state as a map from slot nid to event nid. The map is never changed once built.</summary>
internal sealed class ResolvedState(Dictionary<long, long> map)
{
    public Dictionary<long, long> Map { get; } = map;

    public int Count => Map.Count;

    /// <summary>The event ids of <see cref="Map"/>'s values, in the map's enumeration order, once someone asked for them
    /// (a big room's <c>/state_ids</c> then costs a copy, not 100k lookups). Racing writers store equal arrays.</summary>
    public string[]? EventIds { get; set; }
}
