using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;

namespace Federation.Local.Rooms;

/// <summary>
/// Joins a room's forks: sends dummy events (<c>org.matrix.dummy_event</c>, the type Synapse sends to cut its forward
/// extremities) as a local member until the room has one forward extremity. Each event cites up to
/// <see cref="LocalEventBuilder.MaxPrevEvents"/> extremities, so every server that receives it fetches the forks it
/// lacks and resolves the same inputs: the operator's answer to a divergence with no majority (docs/resync.md).
/// </summary>
public sealed class RoomMerger(DagStore store, LocalRooms rooms, LocalEventBuilder events, ServerIdentity identity)
{
    /// <summary>The event type of a merge: no content, no state, shown by no client.</summary>
    public const string DummyEventType = "org.matrix.dummy_event";

    /// <summary>Most merge events one call sends (each cuts up to nine extremities).</summary>
    public const int MaxEvents = 12;

    /// <summary>Merges the room's forward extremities into one.</summary>
    /// <exception cref="MatrixException"><c>404 M_NOT_FOUND</c> for a room we do not hold; <c>403 M_FORBIDDEN</c> when
    /// no local user is joined to it.</exception>
    public async Task<RoomMerge> MergeAsync(string roomId, CancellationToken cancellationToken)
    {
        var before = await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        var sender = await LocalMemberAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.Forbidden, "No local user is joined to this room: it cannot be merged from here", 403);
        var sent = new List<Pdu>();
        var extremities = before;
        while (extremities.Count > 1 && sent.Count < MaxEvents)
        {
            sent.Add(await events.CreateAsync(roomId, sender, DummyEventType, null, new JsonObject(), cancellationToken).ConfigureAwait(false));
            extremities = await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        }

        return new RoomMerge(roomId, before, [.. sent.Select(e => new MergeEvent(e.EventId, e.PrevEvents))], extremities);
    }

    /// <summary>A user of this server joined in the room's current state, the first by id; null when there is none.</summary>
    private async Task<string?> LocalMemberAsync(string roomId, CancellationToken cancellationToken)
    {
        var current = await rooms.CurrentStateAsync(roomId, cancellationToken).ConfigureAwait(false);
        var ours = current.Entries
            .Where(e => e.Key.Type == EventTypes.Member && MatrixIds.ServerNameOf(e.Key.StateKey) == identity.ServerName)
            .Select(e => e.Value)
            .ToArray();
        return (await store.GetEventsAsync(roomId, ours, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Pdu.Membership == "join")
            .Select(e => e.Pdu.StateKey!)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
    }
}
