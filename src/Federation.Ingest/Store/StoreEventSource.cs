using Federation.Protocol.Events;
using Federation.StateResolution.Events;
using Federation.Storage.Dag;

namespace Federation.Ingest.Store;

/// <summary>
/// The state-resolution engine's event source over the DAG store, with events not yet persisted (the one being
/// checked) layered on top.
/// </summary>
public sealed class StoreEventSource(DagStore store, IReadOnlyDictionary<string, Pdu>? pending = null) : IEventSource
{
    public async ValueTask<IReadOnlyList<EventLookup>> GetEventsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var stored = await store.GetEventsAsync(eventIds.Where(id => pending?.ContainsKey(id) != true).ToArray(), cancellationToken)
            .ConfigureAwait(false);
        var byId = stored.ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var result = new EventLookup[eventIds.Count];
        for (var i = 0; i < eventIds.Count; i++)
        {
            var id = eventIds[i];
            result[i] = pending is not null && pending.TryGetValue(id, out var pdu) ? new EventLookup(pdu, IsRejected: false)
                : byId.TryGetValue(id, out var found) ? new EventLookup(found.Pdu, found.Status == EventStatus.Rejected)
                : EventLookup.Missing;
        }

        return result;
    }
}
