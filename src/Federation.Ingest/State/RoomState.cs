using Federation.Storage.Dag;

namespace Federation.Ingest.State;

/// <summary>A room state as (type, state key) → event id.</summary>
public sealed class RoomState(IReadOnlyDictionary<StateSlot, string> entries)
{
    public static RoomState Empty { get; } = new(new Dictionary<StateSlot, string>());

    public IReadOnlyDictionary<StateSlot, string> Entries { get; } = entries;

    public string? this[string type, string stateKey] => Entries.GetValueOrDefault(new StateSlot(type, stateKey));

    /// <summary>Whether both states map the same slots to the same events.</summary>
    public bool SameEntriesAs(RoomState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other) || ReferenceEquals(Entries, other.Entries))
        {
            return true;
        }

        if (Entries.Count != other.Entries.Count)
        {
            return false;
        }

        foreach (var (slot, eventId) in Entries)
        {
            if (!other.Entries.TryGetValue(slot, out var otherId) || !string.Equals(eventId, otherId, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
