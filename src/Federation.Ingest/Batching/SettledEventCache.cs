using System.Collections.Concurrent;
using Federation.Ingest.State;
using Federation.StateResolution.Events;

namespace Federation.Ingest.Batching;

/// <summary>
/// Events held with state, and the state after them, kept in memory for the receive pipeline. Both never change once
/// an event is stored with state (only outliers are ever rewritten, and they are never put here), so the cache is right
/// whatever other processes write. States are keyed by room and event, as ids chosen by the origin (room versions 1
/// and 2) may repeat another room's; events are only ever looked up by id, like the store's own lookup. Bounded: it is
/// emptied when it grows past its size.
/// </summary>
public sealed class SettledEventCache
{
    private const int MaxEvents = 50_000;
    private const int MaxStates = 4_096;

    private readonly ConcurrentDictionary<string, EventLookup> _events = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string RoomId, string EventId), RoomState> _statesAfter = new();

    public bool TryGetEvent(string eventId, out EventLookup lookup) => _events.TryGetValue(eventId, out lookup);

    /// <summary>Keeps an event that is held with state (not an outlier).</summary>
    public void AddEvent(string eventId, EventLookup lookup)
    {
        if (_events.Count >= MaxEvents)
        {
            _events.Clear();
        }

        _events[eventId] = lookup;
    }

    public bool TryGetStateAfter(string roomId, string eventId, out RoomState state) => _statesAfter.TryGetValue((roomId, eventId), out state!);

    /// <summary>Keeps the state after an event held with state.</summary>
    public void AddStateAfter(string roomId, string eventId, RoomState state)
    {
        if (_statesAfter.Count >= MaxStates)
        {
            _statesAfter.Clear();
        }

        _statesAfter[(roomId, eventId)] = state;
    }
}
