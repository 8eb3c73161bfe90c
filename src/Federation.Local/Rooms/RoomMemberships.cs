using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Joins;
using Federation.Local.Outbound;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;

namespace Federation.Local.Rooms;

/// <summary>
/// Joining and leaving for local users: a room this server is in (some local user joined) is joined with a local
/// event; any other room over federation through the servers the client names (and, for room versions 1–11, the
/// server in the room id).
/// </summary>
public sealed class RoomMemberships(
    LocalEventBuilder builder,
    LocalRooms rooms,
    RemoteJoiner joiner,
    RoomServers servers,
    DagStore store,
    ServerIdentity identity)
{
    /// <summary>Joins <paramref name="userId"/> to <paramref name="roomIdOrAlias"/>; returns the room id.</summary>
    public async Task<string> JoinAsync(string userId, string roomIdOrAlias, IReadOnlyList<string> via, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(roomIdOrAlias);
        if (roomIdOrAlias.StartsWith('#'))
        {
            throw new MatrixException(ErrorCode.NotFound, "Room aliases are not supported by this server; join by room id", 404);
        }

        if (!roomIdOrAlias.StartsWith('!'))
        {
            throw new MatrixException(ErrorCode.InvalidParam, $"'{roomIdOrAlias}' is not a room id or alias");
        }

        var roomId = roomIdOrAlias;
        if (await IsServerInRoomAsync(roomId, cancellationToken).ConfigureAwait(false))
        {
            await builder.CreateAsync(roomId, userId, EventTypes.Member, userId, new JsonObject { ["membership"] = "join" }, cancellationToken)
                .ConfigureAwait(false);
            return roomId;
        }

        var candidates = via.ToList();
        if (MatrixIds.ServerNameOf(roomId) is { } roomServer)
        {
            candidates.Add(roomServer);
        }

        await joiner.JoinAsync(userId, roomId, candidates, cancellationToken).ConfigureAwait(false);
        return roomId;
    }

    /// <summary>Leaves a room this server is in (the auth rules refuse it when the user is not in the room).</summary>
    public async Task LeaveAsync(string userId, string roomId, CancellationToken cancellationToken)
    {
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new MatrixException(ErrorCode.NotFound, "Unknown room", 404);
        }

        await builder.CreateAsync(roomId, userId, EventTypes.Member, userId, new JsonObject { ["membership"] = "leave" }, cancellationToken)
            .ConfigureAwait(false);
    }

    private async Task<bool> IsServerInRoomAsync(string roomId, CancellationToken cancellationToken)
    {
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is null
            || (await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return false;
        }

        var current = await rooms.CurrentStateAsync(roomId, cancellationToken).ConfigureAwait(false);
        return (await servers.JoinedServersAsync(current, pending: null, cancellationToken).ConfigureAwait(false)).Contains(identity.ServerName);
    }
}
