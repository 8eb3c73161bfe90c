using Federation.Ingest.State;
using Federation.StateResolution.Events;
using Federation.Storage.Caching;
using Federation.Storage.Dag;

namespace Federation.Ingest.Batching;

/// <summary>
/// Events held with state, and the state after them, kept in memory for the receive pipeline. Both never change once
/// an event is stored with state (only outliers are ever rewritten, and they are never put here), so the cache is right
/// whatever other processes write. States are keyed by room and event, as ids chosen by the origin (room versions 1
/// and 2) may repeat another room's; events are only ever looked up by id, like the store's own lookup. Bounded: it forgets
/// the least recently used half of its events (and of its states) at a time. It also remembers recent resolutions of
/// such states (<see cref="StateCalculator.ResolveWithAsync"/>), forgotten whenever outliers are de-outliered.
/// Outliers are kept apart, as their status changes when they become timeline events: the store says when it does
/// that (<see cref="DagStore.EventsDeOutliered"/>), and they are forgotten then. A process sharing the database that
/// de-outliers one is not heard; what stays here is the status the outlier had, until forgotten by age.
/// </summary>
public sealed class SettledEventCache
{
    // Per generation: the cache holds up to twice these, and forgets the half least recently used at a time.
    private const int EventsPerGeneration = 32_768;
    private const int StatesPerGeneration = 2_048;
    private const int OutliersPerGeneration = 8_192;
    private const int ResolutionsPerGeneration = 128;

    private readonly GenerationalMap<string, EventLookup> _events = new(EventsPerGeneration, StringComparer.Ordinal);
    private readonly GenerationalMap<(string RoomId, string EventId), RoomState> _statesAfter = new(StatesPerGeneration);
    private readonly GenerationalMap<string, EventLookup> _outliers = new(OutliersPerGeneration, StringComparer.Ordinal);
    private GenerationalMap<ResolutionKey, RoomState> _resolutions = new(ResolutionsPerGeneration);

    public SettledEventCache()
    {
    }

    /// <summary>A cache that forgets outliers when <paramref name="store"/> makes them timeline events.</summary>
    public SettledEventCache(DagStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        store.EventsDeOutliered += (_, written) =>
        {
            foreach (var eventId in written.EventIds)
            {
                _outliers.Remove(eventId);
            }

            // A resolution may have read them as outliers, with the status they had then.
            Volatile.Write(ref _resolutions, new(ResolutionsPerGeneration));
        };
    }

    public bool TryGetEvent(string eventId, out EventLookup lookup) => _events.TryGetValue(eventId, out lookup);

    /// <summary>Keeps an event that is held with state (not an outlier).</summary>
    public void AddEvent(string eventId, EventLookup lookup) => _events.Set(eventId, lookup);

    /// <summary>An outlier read from the store, as it was then (see above).</summary>
    public bool TryGetOutlier(string eventId, out EventLookup lookup) => _outliers.TryGetValue(eventId, out lookup);

    /// <summary>Keeps an outlier read from the store.</summary>
    public void AddOutlier(string eventId, EventLookup lookup) => _outliers.Set(eventId, lookup);

    public bool TryGetStateAfter(string roomId, string eventId, out RoomState state) => _statesAfter.TryGetValue((roomId, eventId), out state!);

    /// <summary>Keeps the state after an event held with state.</summary>
    public void AddStateAfter(string roomId, string eventId, RoomState state) => _statesAfter.Set((roomId, eventId), state);

    /// <summary>The resolution of exactly these state objects, when made before.</summary>
    internal bool TryGetResolution(ResolutionKey key, out RoomState resolved) => Volatile.Read(ref _resolutions).TryGetValue(key, out resolved!);

    /// <summary>Keeps a resolution of states built from settled events.</summary>
    internal void AddResolution(ResolutionKey key, RoomState resolved) => Volatile.Read(ref _resolutions).Set(key, resolved);
}
