using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;

namespace Federation.Resync.Rooms;

/// <summary>
/// Who is joined to a room in its current state (the resolution of its forward extremities), as the store knows it:
/// the peers that re-sync asks. Reads every member event of the state, so its cost grows with the membership.
/// </summary>
public sealed class JoinedMembers(DagStore store, StateCalculator state)
{
    /// <summary>The user ids joined in the current state.</summary>
    public async Task<IReadOnlyList<string>> UsersAsync(string roomId, RoomVersion version, CancellationToken cancellationToken)
    {
        var current = await state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        var memberIds = current.Entries.Where(e => e.Key.Type == EventTypes.Member).Select(e => e.Value).ToArray();
        return [.. (await store.GetEventsAsync(roomId, memberIds, cancellationToken).ConfigureAwait(false))
            .Where(e => e.Pdu.Membership == "join" && e.Pdu.StateKey is not null)
            .Select(e => e.Pdu.StateKey!)];
    }

    /// <summary>The servers other than <paramref name="ourServer"/> with a user joined in the current state.</summary>
    public async Task<IReadOnlySet<string>> OtherServersAsync(string roomId, RoomVersion version, string ourServer, CancellationToken cancellationToken) =>
        (await UsersAsync(roomId, version, cancellationToken).ConfigureAwait(false))
            .Select(MatrixIds.ServerNameOf)
            .OfType<string>()
            .Where(server => server != ourServer)
            .ToHashSet(StringComparer.Ordinal);
}
