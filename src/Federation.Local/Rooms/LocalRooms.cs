using Federation.Ingest.State;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Local.Rooms;

/// <summary>What local users may read: a room's current state, and a user's membership in it.</summary>
public sealed class LocalRooms(DagStore store, StateCalculator state)
{
    /// <summary>The room's current state (the resolution of its extremities' states); <c>404 M_NOT_FOUND</c> for an unknown room.</summary>
    public async Task<RoomState> CurrentStateAsync(string roomId, CancellationToken cancellationToken)
    {
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.NotFound, "Unknown room", 404);
        return await state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user's membership in the room's current state, or null when it has none (or the room is unknown).</summary>
    public async Task<string?> MembershipAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is null)
        {
            return null;
        }

        var current = await CurrentStateAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (current[EventTypes.Member, userId] is not { } memberId)
        {
            return null;
        }

        var member = await store.GetEventsAsync(roomId, [memberId], cancellationToken).ConfigureAwait(false);
        return member.Count == 1 ? member[0].Pdu.Membership : null;
    }

    /// <summary>The current state, after checking the user is joined: <c>403 M_FORBIDDEN</c> otherwise.</summary>
    public async Task<RoomState> StateForMemberAsync(string roomId, string userId, CancellationToken cancellationToken)
    {
        if (await MembershipAsync(roomId, userId, cancellationToken).ConfigureAwait(false) != "join")
        {
            throw new MatrixException(ErrorCode.Forbidden, $"User {userId} is not joined to room {roomId}", 403);
        }

        return await CurrentStateAsync(roomId, cancellationToken).ConfigureAwait(false);
    }
}
