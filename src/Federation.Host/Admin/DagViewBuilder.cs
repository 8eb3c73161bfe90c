using Federation.Resync.Divergence;
using Federation.Storage.Dag;

namespace Federation.Host.Admin;

/// <summary>Reads the deepest events of a room and describes them for drawing: edges, forks, merges, holes, and the
/// first divergent event of the room's latest divergence report.</summary>
public sealed class DagViewBuilder(DagStore store, DivergenceReportStore reports)
{
    /// <summary>The view, or null for a room the server does not hold.</summary>
    public async Task<DagView?> BuildAsync(string roomId, int limit, CancellationToken cancellationToken)
    {
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false);
        var counts = await store.GetRoomEventCountsAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (version is null || counts is null)
        {
            return null;
        }

        var latest = await reports.LatestAsync(roomId, cancellationToken).ConfigureAwait(false);
        var firstDivergent = latest?.FirstDivergentEventId;
        var events = await store.GetDeepestEventsAsync(roomId, limit, cancellationToken).ConfigureAwait(false);
        var extremities = (await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        var shown = events.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var children = new Dictionary<string, int>(StringComparer.Ordinal);
        var notShown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var prev in events.SelectMany(e => e.Pdu.PrevEvents.Distinct(StringComparer.Ordinal)))
        {
            children[prev] = children.GetValueOrDefault(prev) + 1;
            if (!shown.Contains(prev))
            {
                notShown.Add(prev);
            }
        }

        var heldOutside = (await store.GetEventsAsync(roomId, notShown, cancellationToken).ConfigureAwait(false))
            .Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var recorded = (await store.GetHolesAsync(roomId, dueOnly: false, cancellationToken).ConfigureAwait(false))
            .ToDictionary(h => h.EventId, StringComparer.Ordinal);

        var nodes = events.Select(e => new DagNode(
            e.EventId,
            e.Pdu.Type,
            e.Pdu.StateKey,
            e.Pdu.Sender,
            e.Pdu.Depth,
            e.StreamOrdering,
            e.Status switch { EventStatus.Rejected => "rejected", EventStatus.SoftFailed => "soft_failed", _ => "accepted" },
            e.RejectionReason,
            e.IsOutlier,
            e.IsBackfilled,
            extremities.Contains(e.EventId),
            children.GetValueOrDefault(e.EventId) > 1,
            e.Pdu.PrevEvents.Distinct(StringComparer.Ordinal).Count() > 1,
            string.Equals(e.EventId, firstDivergent, StringComparison.Ordinal))).ToList();
        var edges = events
            .SelectMany(e => e.Pdu.PrevEvents.Distinct(StringComparer.Ordinal).Select(prev => new DagEdge(
                e.EventId, prev, shown.Contains(prev) ? "prev" : heldOutside.Contains(prev) ? "outside" : "hole")))
            .ToList();
        var holes = edges.Where(edge => edge.Kind == "hole")
            .GroupBy(edge => edge.To, StringComparer.Ordinal)
            .Select(group => new DagHole(
                group.Key,
                recorded.TryGetValue(group.Key, out var hole) ? hole.Attempts : 0,
                hole?.GivenUpAt is not null,
                [.. group.Select(edge => edge.From)]))
            .ToList();
        return new DagView(roomId, version.Id, limit, counts.Total, nodes, edges, holes, latest?.Class, firstDivergent);
    }
}
