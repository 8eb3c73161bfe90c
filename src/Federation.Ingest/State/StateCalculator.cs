using Federation.Ingest.Batching;
using Federation.Ingest.Store;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution;
using Federation.StateResolution.Events;
using Federation.StateResolution.Resolution;
using Federation.Storage.Dag;

namespace Federation.Ingest.State;

/// <summary>
/// Room state as the receive checks need it: the state after stored events, the state before a new event (the
/// resolution of the states after its prev events), and the room's current state (the resolution of the states after
/// its forward extremities). With a <see cref="SettledEventCache"/> (as the receive pipeline has), states after events
/// and the events state resolution reads come from it when there, and what is read goes into it: neither ever changes
/// once an event is stored with state.
/// </summary>
public sealed class StateCalculator(DagStore store, SettledEventCache? cache = null)
{
    private static readonly IReadOnlyDictionary<string, Pdu> NothingPending = new Dictionary<string, Pdu>(StringComparer.Ordinal);

    /// <summary>The state after a stored, non-outlier event, or null when it has none.</summary>
    public async Task<RoomState?> StateAfterAsync(string roomId, string eventId, CancellationToken cancellationToken)
    {
        if (cache is not null && cache.TryGetStateAfter(roomId, eventId, out var cached))
        {
            return cached;
        }

        var stored = await store.GetStateAsync(roomId, eventId, StatePosition.After, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var state = new RoomState(stored);
        cache?.AddStateAfter(roomId, eventId, state);
        return state;
    }

    /// <summary>
    /// The state before <paramref name="pdu"/> from the states after its prev events, all of which must be stored with
    /// state; null when one is not. With one prev event no resolution is needed.
    /// </summary>
    public async Task<RoomState?> StateBeforeAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (pdu.PrevEvents.Count == 0)
        {
            return RoomState.Empty;
        }

        var states = new List<RoomState>(pdu.PrevEvents.Count);
        foreach (var prev in pdu.PrevEvents.Distinct(StringComparer.Ordinal))
        {
            if (await StateAfterAsync(pdu.RoomId, prev, cancellationToken).ConfigureAwait(false) is not { } state)
            {
                return null;
            }

            states.Add(state);
        }

        return await ResolveAsync(pdu.RoomVersion, states, pending: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The room's current state: the resolution of the states after its forward extremities.</summary>
    public Task<RoomState> CurrentStateAsync(string roomId, RoomVersion version, CancellationToken cancellationToken) =>
        CurrentStateAsync(roomId, version, also: null, cancellationToken);

    /// <summary>
    /// The resolution of the states after the room's forward extremities together with <paramref name="also"/> (the
    /// state before an event being checked, as Synapse's soft-fail check includes it).
    /// </summary>
    public async Task<RoomState> CurrentStateAsync(string roomId, RoomVersion version, RoomState? also, CancellationToken cancellationToken)
    {
        var extremities = await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        var states = new List<RoomState>(extremities.Count + 1);
        if (also is not null)
        {
            states.Add(also);
        }

        foreach (var extremity in extremities)
        {
            if (await StateAfterAsync(roomId, extremity, cancellationToken).ConfigureAwait(false) is { } state)
            {
                states.Add(state);
            }
        }

        return await ResolveAsync(version, states, pending: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves state maps; events of <paramref name="pending"/> are used before the store is asked.</summary>
    public Task<RoomState> ResolveAsync(
        RoomVersion version, IReadOnlyList<RoomState> states, IReadOnlyDictionary<string, Pdu>? pending, CancellationToken cancellationToken) =>
        ResolveWithAsync(version, states, EventSource(version, pending), cancellationToken);

    /// <summary>
    /// The events to check and resolve with in a room of <paramref name="version"/>: <paramref name="pending"/> first,
    /// then the cache, then the store. Ids chosen by the origin (versions 1 and 2) may repeat another room's, so there the
    /// cache is left out and the store decides, as it always did.
    /// </summary>
    public IEventSource EventSource(RoomVersion version, IReadOnlyDictionary<string, Pdu>? pending = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        return cache is null || version.UsesEventReferencePairs
            ? new StoreEventSource(store, pending)
            : new BatchEventSource(store, cache, pending ?? NothingPending);
    }

    /// <summary>
    /// Resolves state maps with the events of <paramref name="events"/>. With a cache, a resolution of the same state
    /// objects made before is reused: the soft-fail check of each message after a fork resolves the same states.
    /// </summary>
    public async Task<RoomState> ResolveWithAsync(
        RoomVersion version, IReadOnlyList<RoomState> states, IEventSource events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Count == 0)
        {
            return RoomState.Empty;
        }

        // Equal states resolve to themselves under every algorithm (nothing conflicts and, for v2 on, their auth chains
        // are the same), and v2 on works on sets, so a repeated state changes nothing there. The soft-fail check meets
        // this all the time: the event's own state is usually that of one extremity, and stale extremities often share
        // the state of the latest one.
        var distinct = version.StateResolution == StateResolutionAlgorithm.V1 && !states.All(s => s.SameEntriesAs(states[0]))
            ? states
            : Distinct(states);
        if (distinct.Count == 1)
        {
            return distinct[0];
        }

        if (cache is null)
        {
            return await ResolveDistinctAsync(version, distinct, events, cancellationToken).ConfigureAwait(false);
        }

        var key = new ResolutionKey(version, distinct);
        if (!cache.TryGetResolution(key, out var resolved))
        {
            resolved = await ResolveDistinctAsync(version, distinct, events, cancellationToken).ConfigureAwait(false);
            cache.AddResolution(key, resolved);
        }

        return resolved;
    }

    private static async Task<RoomState> ResolveDistinctAsync(
        RoomVersion version, IReadOnlyList<RoomState> distinct, IEventSource events, CancellationToken cancellationToken)
    {
        var sets = distinct
            .Select(s => (IReadOnlyDictionary<StateKey, string>)s.Entries.ToDictionary(e => new StateKey(e.Key.Type, e.Key.StateKey), e => e.Value))
            .ToList();
        var resolved = await StateResolver.ResolveAsync(version, events, sets, cancellationToken).ConfigureAwait(false);
        var state = new RoomState(resolved.ToDictionary(e => new StateSlot(e.Key.Type, e.Key.Key), e => e.Value));

        // Often one of the inputs (the newest state after a stale fork): sharing it keeps one copy, and later
        // comparisons with it stop at reference equality.
        return distinct.FirstOrDefault(input => input.SameEntriesAs(state)) ?? state;
    }

    private static List<RoomState> Distinct(IReadOnlyList<RoomState> states)
    {
        var distinct = new List<RoomState>(states.Count);
        foreach (var state in states)
        {
            if (!distinct.Exists(kept => kept.SameEntriesAs(state)))
            {
                distinct.Add(state);
            }
        }

        return distinct;
    }
}
