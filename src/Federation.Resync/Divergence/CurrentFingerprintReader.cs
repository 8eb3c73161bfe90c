using Federation.Ingest.State;
using Federation.Resync.Core.Fingerprints;
using Federation.Storage.Dag;

namespace Federation.Resync.Divergence;

/// <summary>
/// Our fingerprint of a room's current state. With one extremity, or several whose states are equal, it is the stored
/// fingerprint after them; otherwise the current state is their resolution, which is computed and fingerprinted
/// from scratch (work proportional to the state, but only while the room has diverging forks).
/// </summary>
public sealed class CurrentFingerprintReader(DagStore store, StateCalculator state)
{
    /// <summary>Null when we hold no state of the room.</summary>
    public async Task<CurrentFingerprint?> ReadAsync(string roomId, CancellationToken cancellationToken)
    {
        var extremities = await store.GetExtremityFingerprintsAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (extremities.Count == 0)
        {
            return null;
        }

        if (extremities.All(e => e.Fingerprint.Digest == extremities[0].Fingerprint.Digest))
        {
            return new CurrentFingerprint(extremities[0].Fingerprint.Fingerprint, extremities);
        }

        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Room {roomId} has extremities but no version.");
        var current = await state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        var accumulator = StateAccumulator.Of(current.Entries.Select(e => new StateEntry(e.Key.Type, e.Key.StateKey, e.Value)));
        return new CurrentFingerprint(accumulator.Fingerprint(), extremities);
    }
}
