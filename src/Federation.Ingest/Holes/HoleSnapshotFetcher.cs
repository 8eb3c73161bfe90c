using Federation.Ingest.Remote;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Options;

namespace Federation.Ingest.Holes;

/// <summary>
/// Fetches the state at a prev event we do not hold. The prev event itself is asked for with <c>/event</c> at the same
/// time as <c>/state_ids</c> at it, so a hole whose state we already hold costs one round trip after
/// <c>/get_missing_events</c> (Synapse asks for it after <c>/state_ids</c>, with the state events it lacks). Then, as
/// Synapse does, the state and auth events we lack: all at once with <c>/state</c> when at least a tenth of them are
/// missing, otherwise one <c>/event</c> each, a few in parallel. Nothing is stored or trusted here; the caller stores
/// the events as outliers, checked against their own auth events, and resolves the claimed state with what it knows.
/// </summary>
public sealed class HoleSnapshotFetcher(DagStore store, RemoteRoomReader remote, IOptions<IngestOptions> options)
{
    /// <summary>Ids looked up in the store per query.</summary>
    private const int LookupChunk = 10_000;

    /// <returns>The snapshot, or null when the state or the prev event itself could not be obtained.</returns>
    public async Task<HoleSnapshot?> FetchAsync(
        string origin, string roomId, RoomVersion version, string prevEventId, CancellationToken cancellationToken)
    {
        var prevHeld = (await NotHeldAsync(roomId, [prevEventId], cancellationToken).ConfigureAwait(false)).Count == 0;
        var prevTask = prevHeld
            ? Task.FromResult<VerifiedEvent?>(null)
            : remote.GetEventAsync(origin, roomId, version, prevEventId, cancellationToken);
        var answer = await remote.GetStateIdsAsync(origin, roomId, prevEventId, cancellationToken).ConfigureAwait(false);
        var prev = await prevTask.ConfigureAwait(false);
        if (answer is null || (!prevHeld && prev is null))
        {
            return null;
        }

        var wanted = answer.PduIds.Concat(answer.AuthChainIds).Distinct(StringComparer.Ordinal).ToArray();
        var missing = await NotHeldAsync(roomId, wanted, cancellationToken).ConfigureAwait(false);
        missing.Remove(prevEventId);
        var fetched = new List<VerifiedEvent>();
        if (prev is not null)
        {
            fetched.Add(prev);
        }

        if (missing.Count * 10 >= wanted.Length && missing.Count > 1)
        {
            var state = await remote.GetStateAsync(origin, roomId, version, prevEventId, cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return null;
            }

            fetched.AddRange(state.Where(e => missing.Contains(e.EventId)));
        }
        else
        {
            await FetchEachAsync(origin, roomId, version, missing, fetched, cancellationToken).ConfigureAwait(false);
        }

        return new HoleSnapshot(prevEventId, answer.PduIds, fetched);
    }

    private async Task FetchEachAsync(
        string origin, string roomId, RoomVersion version, IReadOnlyCollection<string> ids, List<VerifiedEvent> into, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.EventFetchConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ids, parallel, async (id, token) =>
        {
            if (await remote.GetEventAsync(origin, roomId, version, id, token).ConfigureAwait(false) is { } fetched)
            {
                lock (into)
                {
                    into.Add(fetched);
                }
            }
        }).ConfigureAwait(false);
    }

    // Asks only whether the room holds each event (as an outlier or not), without reading the events.
    private async Task<HashSet<string>> NotHeldAsync(string roomId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var missing = new HashSet<string>(ids, StringComparer.Ordinal);
        foreach (var chunk in ids.Chunk(LookupChunk))
        {
            foreach (var known in (await store.GetKnownEventsAsync(roomId, chunk, cancellationToken).ConfigureAwait(false)).Values)
            {
                if (known.IsHeld)
                {
                    missing.Remove(known.EventId);
                }
            }
        }

        return missing;
    }
}
