using Federation.Storage.Caching;

namespace Federation.Storage.Dag;

/// <summary>
/// What the store holds of events persisted with state (not outliers), by room and id: nid, status and state groups.
/// None of it ever changes once such an event is stored (events are never deleted, and only outliers are rewritten),
/// so an entry stays true whatever other processes write, and a write or a lookup need not ask Postgres again.
/// Bounded: forgets the least recently used half at a time.
/// </summary>
internal sealed class SettledEventRefs(int entriesPerGeneration)
{
    private readonly GenerationalMap<(long RoomNid, string EventId), SettledEventRef> refs = new(entriesPerGeneration);

    public bool TryGet(long roomNid, string eventId, out SettledEventRef settled) => refs.TryGetValue((roomNid, eventId), out settled);

    public void Remember(long roomNid, string eventId, SettledEventRef settled) => refs.Set((roomNid, eventId), settled);
}
