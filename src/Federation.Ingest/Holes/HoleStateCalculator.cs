using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Ingest.Holes;

/// <summary>
/// The state before an event some of whose prev events we do not hold: the state after each held prev as we know it
/// and, for each missing one, the state after it as its snapshot claims, resolved together with the room version's
/// algorithm (Synapse's <c>_compute_event_context_with_maybe_missing_prevs</c>). A remote's claim only counts through
/// events we hold that passed their own auth checks, and only as one input of the resolution.
/// </summary>
public sealed class HoleStateCalculator(DagStore store, StateCalculator state)
{
    private const int LookupChunk = 10_000;

    /// <returns>The state before <paramref name="pdu"/>, or null when a prev is neither held nor in <paramref name="snapshots"/>.</returns>
    public async Task<RoomState?> StateBeforeAsync(
        Pdu pdu, IReadOnlyDictionary<string, HoleSnapshot> snapshots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(snapshots);
        var states = new List<RoomState>();
        foreach (var prev in pdu.PrevEvents.Distinct(StringComparer.Ordinal))
        {
            var after = await state.StateAfterAsync(pdu.RoomId, prev, cancellationToken).ConfigureAwait(false);
            if (after is null && snapshots.TryGetValue(prev, out var snapshot))
            {
                after = await ClaimedStateAfterAsync(pdu.RoomId, snapshot, cancellationToken).ConfigureAwait(false);
            }

            if (after is null)
            {
                return null;
            }

            states.Add(after);
        }

        var pending = new Dictionary<string, Pdu>(StringComparer.Ordinal) { [pdu.EventId] = pdu };
        return await state.ResolveAsync(pdu.RoomVersion, states, pending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The state before the snapshot's event as claimed: its state ids, keeping only state events of this room that we
    /// hold and did not reject — each under its own type and state key, whatever the remote implied.
    /// </summary>
    public async Task<Dictionary<StateSlot, string>> ClaimedStateBeforeAsync(string roomId, HoleSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var entries = new Dictionary<StateSlot, string>();
        foreach (var chunk in snapshot.StateIds.Distinct(StringComparer.Ordinal).Chunk(LookupChunk))
        {
            var held = (await store.GetEventsAsync(roomId, chunk, cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.EventId, StringComparer.Ordinal);
            foreach (var id in chunk)
            {
                if (held.TryGetValue(id, out var stored) && stored.Status != EventStatus.Rejected && stored.Pdu.StateKey is { } stateKey)
                {
                    entries[new StateSlot(stored.Pdu.Type, stateKey)] = id;
                }
            }
        }

        return entries;
    }

    /// <summary>
    /// The state after the snapshot's prev event: the claimed state before it, then the prev event itself in its slot
    /// when it is an accepted state event (<c>/state_ids</c> gives the state before it).
    /// </summary>
    private async Task<RoomState?> ClaimedStateAfterAsync(string roomId, HoleSnapshot snapshot, CancellationToken cancellationToken)
    {
        var prev = (await store.GetEventsAsync(roomId, [snapshot.PrevEventId], cancellationToken).ConfigureAwait(false)).SingleOrDefault();
        if (prev is null)
        {
            return null;
        }

        var entries = await ClaimedStateBeforeAsync(roomId, snapshot, cancellationToken).ConfigureAwait(false);
        if (prev.Status != EventStatus.Rejected && prev.Pdu.StateKey is { } prevStateKey)
        {
            entries[new StateSlot(prev.Pdu.Type, prevStateKey)] = prev.EventId;
        }

        return new RoomState(entries);
    }
}
