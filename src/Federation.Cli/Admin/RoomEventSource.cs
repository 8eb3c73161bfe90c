using Federation.StateResolution.Events;
using Federation.Storage.Dag;

namespace Federation.Cli.Admin;

/// <summary>
/// The state-resolution engine's event source over one room of the store, with the store's rejections. Scoped to the
/// room because event ids of room versions 1 and 2 are chosen by their senders and need not be unique across rooms.
/// </summary>
internal sealed class RoomEventSource(DagStore store, string roomId) : IEventSource
{
    public async ValueTask<IReadOnlyList<EventLookup>> GetEventsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var held = (await store.GetEventsAsync(roomId, eventIds.ToArray(), cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.EventId, StringComparer.Ordinal);
        return [.. eventIds.Select(id => held.TryGetValue(id, out var stored)
            ? new EventLookup(stored.Pdu, stored.Status == EventStatus.Rejected)
            : EventLookup.Missing)];
    }
}
