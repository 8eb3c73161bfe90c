using Federation.Ingest.Diagnostics;
using Federation.Ingest.Holes;
using Federation.Ingest.Remote;

namespace Federation.Ingest;

public sealed partial class PduIngestor
{
    /// <summary>Pulled events checked and stored per hold of the room's lock, so pushed events are not held up long.</summary>
    private const int PulledEventsPerLock = 100;

    /// <summary>
    /// Checks and stores events pulled from <paramref name="origin"/> (all of one room, oldest first in topological
    /// order) the way events pulled with <c>/get_missing_events</c> are: an event whose prev events are all held with
    /// state, or earlier in the list, takes the normal path; one whose prevs are still lacking gets its state across the
    /// hole from the origin's <c>/state_ids</c> at those prevs (at most <see cref="IngestOptions.HolePrevEventsLimit"/>
    /// of them), resolved with ours. Auth chains of events with unknown auth events are fetched and stored as outliers
    /// first. Remote requests happen before the room is locked, within <see cref="IngestOptions.GapFillTimeout"/>. Runs
    /// of events that need nothing but the store and each other are checked in memory and persisted together
    /// (<see cref="Batching.QueueRunIngestor.ProcessPulledRunAsync"/>), with the same outcomes.
    /// </summary>
    /// <returns>What became of each event, in the order given.</returns>
    public async Task<IReadOnlyList<(string EventId, PduOutcome Outcome)>> ProcessPulledAsync(
        string origin, IReadOnlyList<VerifiedEvent> ordered, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        if (ordered.Count == 0)
        {
            return [];
        }

        var first = ordered[0].Pdu;
        var fetched = await FetchAcrossHolesAsync(origin, ordered, cancellationToken).ConfigureAwait(false);
        var outcomes = new List<(string, PduOutcome)>(ordered.Count);
        var roomLock = _roomLocks.GetOrAdd(first.RoomId, _ => new SemaphoreSlim(1, 1));
        foreach (var chunk in ordered.Chunk(PulledEventsPerLock))
        {
            await roomLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (outcomes.Count == 0)
                {
                    IngestMetrics.RecordOutliers(await outliers.PersistAsync(fetched.Outliers, cancellationToken).ConfigureAwait(false));
                }

                var next = 0;
                var batching = true;
                while (next < chunk.Length)
                {
                    if (batching)
                    {
                        var run = await TryRunAsync(chunk, next, cancellationToken).ConfigureAwait(false);
                        batching = run is not null;
                        if (run is { Count: > 0 })
                        {
                            outcomes.AddRange(run.Select(r => (r.Pdu.EventId, r.Outcome)));
                            next += run.Count;
                            continue;
                        }
                    }

                    var pulled = chunk[next++];
                    outcomes.Add((pulled.EventId, await ProcessPulledEventAsync(pulled, fetched.Holes, cancellationToken).ConfigureAwait(false)));
                }
            }
            finally
            {
                roomLock.Release();
            }
        }

        return outcomes;
    }

    private async Task<PduOutcome> ProcessPulledEventAsync(
        VerifiedEvent pulled, IReadOnlyDictionary<string, HoleSnapshot> holes, CancellationToken cancellationToken)
    {
        if (await HeldWithStateAsync(pulled.Pdu, cancellationToken).ConfigureAwait(false))
        {
            return PduOutcome.Accepted;
        }

        if ((await MissingPrevEventsAsync([pulled.Pdu], cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return await CheckAndPersistAsync(pulled, stateBefore: null, cancellationToken).ConfigureAwait(false);
        }

        return await holeState.StateBeforeAsync(pulled.Pdu, holes, cancellationToken).ConfigureAwait(false) is { } stateBefore
            ? await CheckAndPersistAsync(pulled, stateBefore, cancellationToken).ConfigureAwait(false)
            : Recorded(pulled.Pdu, PduOutcome.Dropped("Prev events could not be found, nor the state at them"));
    }

    /// <summary>The snapshots at the prevs the events lack (neither held with state nor among them) and the auth chains they need.</summary>
    private async Task<FetchedForEvent> FetchAcrossHolesAsync(string origin, IReadOnlyList<VerifiedEvent> ordered, CancellationToken callerToken)
    {
        using var deadline = new CancellationTokenSource(options.Value.GapFillTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, deadline.Token);
        var cancellationToken = linked.Token;
        var pdu = ordered[0].Pdu;
        var snapshots = new Dictionary<string, HoleSnapshot>(StringComparer.Ordinal);
        var authChains = new List<VerifiedEvent>();
        try
        {
            foreach (var prev in (await MissingPrevEventsAsync(ordered.Select(p => p.Pdu), cancellationToken).ConfigureAwait(false))
                .Take(options.Value.HolePrevEventsLimit))
            {
                var snapshot = await holes.FetchAsync(origin, pdu.RoomId, pdu.RoomVersion, prev, cancellationToken).ConfigureAwait(false);
                IngestMetrics.RecordHole(snapshot is not null);
                if (snapshot is not null)
                {
                    snapshots[prev] = snapshot;
                }
            }

            var fetchedSoFar = snapshots.Values.SelectMany(s => s.Fetched.Select(f => f.EventId));
            foreach (var needy in (await WithUnknownAuthEventsAsync([.. ordered.Select(p => p.Pdu)], fetchedSoFar, cancellationToken).ConfigureAwait(false))
                .Take(MaxAuthChainRequests))
            {
                authChains.AddRange(await remote.GetAuthChainAsync(origin, pdu.RoomId, pdu.RoomVersion, needy, cancellationToken).ConfigureAwait(false));
            }
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            // Out of time: go on with what was fetched; events whose state stays unknown are not stored.
            LogGapFillTimedOut(logger, pdu.EventId, origin);
        }

        return new FetchedForEvent([], snapshots, [.. authChains, .. snapshots.Values.SelectMany(s => s.Fetched)], PulledAgain: []);
    }
}
