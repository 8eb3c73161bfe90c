using Federation.Protocol.Events;
using Federation.StateResolution.Events;
using Federation.Storage.Dag;

namespace Federation.Ingest.Batching;

/// <summary>
/// The events a batch of the inbound queue is checked against: those of the batch already decided (not yet persisted;
/// the batch only ever holds accepted events when it is consulted), then the cache of events held with state and of
/// outliers, then the store (what it returns goes into the cache).
/// </summary>
public sealed class BatchEventSource(DagStore store, SettledEventCache cache, IReadOnlyDictionary<string, Pdu> pending) : IEventSource
{
    public async ValueTask<IReadOnlyList<EventLookup>> GetEventsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var result = new EventLookup[eventIds.Count];
        List<string>? toRead = null;
        for (var i = 0; i < eventIds.Count; i++)
        {
            var id = eventIds[i];
            if (pending.TryGetValue(id, out var pdu))
            {
                result[i] = new EventLookup(pdu, IsRejected: false);
            }
            else if (cache.TryGetEvent(id, out var cached) || cache.TryGetOutlier(id, out cached))
            {
                result[i] = cached;
            }
            else
            {
                (toRead ??= []).Add(id);
            }
        }

        if (toRead is null)
        {
            return result;
        }

        var stored = (await store.GetEventsAsync(toRead, cancellationToken).ConfigureAwait(false)).ToDictionary(e => e.EventId, StringComparer.Ordinal);
        for (var i = 0; i < eventIds.Count; i++)
        {
            if (result[i].Event is null && stored.TryGetValue(eventIds[i], out var found))
            {
                result[i] = new EventLookup(found.Pdu, found.Status == EventStatus.Rejected);
                if (found.IsOutlier)
                {
                    cache.AddOutlier(found.EventId, result[i]);
                }
                else
                {
                    cache.AddEvent(found.EventId, result[i]);
                }
            }
        }

        return result;
    }
}
