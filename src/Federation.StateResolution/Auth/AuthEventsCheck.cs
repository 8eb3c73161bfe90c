using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Events;

namespace Federation.StateResolution.Auth;

/// <summary>
/// The state-independent auth rules, run once when an event is received (never inside state resolution): the checks
/// of a create event on itself, and of any other event on its own <c>auth_events</c> — no duplicate keys, no keys
/// outside the auth-event selection, no rejected entries, nothing from another room, and a create event present
/// (v1–11) or absent with the room id naming an accepted create event (v12).
/// </summary>
public static class AuthEventsCheck
{
    /// <summary>
    /// Checks <paramref name="pdu"/> against its own auth events. <paramref name="authEvents"/> holds one lookup per
    /// entry of <c>pdu.AuthEvents</c>, in order. For room version 12, <paramref name="impliedCreate"/> is the event the
    /// room id names (<c>$</c> + the room id without its <c>!</c>).
    /// </summary>
    public static AuthResult Check(Pdu pdu, IReadOnlyList<EventLookup> authEvents, EventLookup impliedCreate = default)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(authEvents);
        var version = pdu.RoomVersion;
        if (pdu.IsCreateEvent)
        {
            return CheckCreate(pdu);
        }

        if (authEvents.Count != pdu.AuthEvents.Count)
        {
            throw new ArgumentException("One lookup per auth event id is needed", nameof(authEvents));
        }

        var expected = AuthEventSelection.Select(pdu);
        var seen = new HashSet<StateKey>();
        var hasCreate = false;
        for (var i = 0; i < authEvents.Count; i++)
        {
            var id = pdu.AuthEvents[i];
            if (authEvents[i].Event is not { } authEvent)
            {
                return AuthResult.Rejected($"auth event {id} is unknown");
            }

            if (authEvent.RoomId != pdu.RoomId)
            {
                return AuthResult.Rejected($"auth event {id} is in room {authEvent.RoomId}, not {pdu.RoomId}");
            }

            if (authEvent.StateKey is null)
            {
                return AuthResult.Rejected($"auth event {id} is not a state event");
            }

            var key = new StateKey(authEvent.Type, authEvent.StateKey);
            if (!seen.Add(key))
            {
                return AuthResult.Rejected($"auth events have two entries for {key}");
            }

            if (!expected.Contains(key))
            {
                return AuthResult.Rejected($"auth event {id} has key {key}, which the auth-event selection does not allow");
            }

            if (authEvents[i].IsRejected)
            {
                return AuthResult.Rejected($"auth event {id} was rejected");
            }

            hasCreate |= authEvent.IsCreateEvent;
        }

        if (version.RoomIdIsCreateEventHash)
        {
            if (impliedCreate.Event is not { IsCreateEvent: true } create || impliedCreate.IsRejected
                || "!" + create.EventId[1..] != pdu.RoomId)
            {
                return AuthResult.Rejected($"the room id {pdu.RoomId} does not name an accepted create event");
            }
        }
        else if (!hasCreate)
        {
            return AuthResult.Rejected("the auth events have no create event");
        }

        return AuthResult.Allowed;
    }

    /// <summary>The create event's own rules: no prev events, room id and sender on one server (v1–11), a known
    /// room version, a creator (v1–10), well-formed <c>additional_creators</c> (v12).</summary>
    public static AuthResult CheckCreate(Pdu create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var version = create.RoomVersion;
        if (create.PrevEvents.Count > 0)
        {
            return AuthResult.Rejected("the create event has prev events");
        }

        if (!version.RoomIdIsCreateEventHash && MatrixIds.ServerNameOf(create.RoomId) != MatrixIds.ServerNameOf(create.Sender))
        {
            return AuthResult.Rejected("the create event's room id and sender are on different servers");
        }

        var roomVersion = create.Content.TryGetProperty("room_version", out var v) ? v : default;
        if (roomVersion.ValueKind != JsonValueKind.Undefined
            && (roomVersion.ValueKind != JsonValueKind.String || !RoomVersion.TryGet(roomVersion.GetString(), out _)))
        {
            return AuthResult.Rejected("the create event names an unknown room version");
        }

        if (!version.CreatorIsCreateEventSender && !create.Content.TryGetProperty("creator", out _))
        {
            return AuthResult.Rejected("the create event has no creator");
        }

        if (version.HasPrivilegedCreators && create.Content.TryGetProperty("additional_creators", out var additional))
        {
            if (additional.ValueKind != JsonValueKind.Array)
            {
                return AuthResult.Rejected("additional_creators must be an array");
            }

            foreach (var entry in additional.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.String || !MatrixIds.IsUserId(entry.GetString()))
                {
                    return AuthResult.Rejected("additional_creators must hold user ids");
                }
            }
        }

        return AuthResult.Allowed;
    }
}
