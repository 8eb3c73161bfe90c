using Federation.Storage.Dag;

namespace Federation.Ingest.State;

/// <summary>A room state as (type, state key) → event id.</summary>
public sealed class RoomState(IReadOnlyDictionary<StateSlot, string> entries)
{
    public static RoomState Empty { get; } = new(new Dictionary<StateSlot, string>());

    public IReadOnlyDictionary<StateSlot, string> Entries { get; } = entries;

    public string? this[string type, string stateKey] => Entries.GetValueOrDefault(new StateSlot(type, stateKey));
}
