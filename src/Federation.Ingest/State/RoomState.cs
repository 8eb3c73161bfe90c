using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Ingest.State;

/// <summary>A room state as (type, state key) → event id.</summary>
public sealed class RoomState(IReadOnlyDictionary<StateSlot, string> entries)
{
    public static RoomState Empty { get; } = new(new Dictionary<StateSlot, string>());

    public IReadOnlyDictionary<StateSlot, string> Entries { get; } = entries;

    public string? this[string type, string stateKey] => Entries.GetValueOrDefault(new StateSlot(type, stateKey));

    /// <summary>The state after <paramref name="pdu"/> when this is the state before it, as the store records it: with
    /// the event in its slot, unless it is no state event or rejected.</summary>
    public RoomState After(Pdu pdu, EventStatus status)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (pdu.StateKey is not { } stateKey || status == EventStatus.Rejected)
        {
            return this;
        }

        return new RoomState(new Dictionary<StateSlot, string>(Entries) { [new StateSlot(pdu.Type, stateKey)] = pdu.EventId });
    }

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
