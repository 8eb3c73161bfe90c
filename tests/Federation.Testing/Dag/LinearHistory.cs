using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Testing.Dag;

/// <summary>Stores a linear run of events (each one's only prev is the one before) as a server that accepted them would.</summary>
public static class LinearHistory
{
    /// <summary>Persists <paramref name="events"/> in order; the first has the state after <paramref name="after"/> (empty when null).</summary>
    public static Task PersistAsync(DagStore store, IEnumerable<Pdu> events, string? after = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var previous = after;
        var batch = new List<EventToPersist>();
        foreach (var pdu in events)
        {
            batch.Add(new EventToPersist(pdu)
            {
                StateBefore = previous is null ? StateBefore.Full(new Dictionary<StateSlot, string>()) : StateBefore.SameAsAfter(previous),
            });
            previous = pdu.EventId;
        }

        return store.PersistEventsAsync(batch);
    }
}
