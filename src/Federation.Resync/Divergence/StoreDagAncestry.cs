using Federation.Resync.Core.Divergence;
using Federation.Storage.Dag;

namespace Federation.Resync.Divergence;

/// <summary>One room's DAG in the store, as the bisection walks it.</summary>
internal sealed class StoreDagAncestry(DagStore store, string roomId) : IDagAncestry
{
    public Task<IReadOnlyList<string>> LineToAsync(string eventId, int maxLength, CancellationToken cancellationToken) =>
        store.GetAncestorLineAsync(roomId, eventId, maxLength, cancellationToken);

    public Task<IReadOnlyList<string>> PrevEventsAsync(string eventId, CancellationToken cancellationToken) =>
        store.GetPrevEventsWithStateAsync(roomId, eventId, cancellationToken);
}
