using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;

namespace Federation.StateResolution.Auth;

/// <summary>
/// The auth events selection of the server-server spec: which (type, state_key) pairs an event's <c>auth_events</c> may
/// cite, taken from the state before the event.
/// </summary>
public static class AuthEventSelection
{
    /// <summary>
    /// The keys <paramref name="pdu"/>'s <c>auth_events</c> may have: create (not in room version 12, where it is implied
    /// by the room id), power levels, the sender's member event, and for member events the join rules
    /// (join/invite/knock), the target's member event, the third-party invite named by the token, and the authoriser's
    /// member event of a restricted join (v8+). Empty for the create event.
    /// </summary>
    public static IReadOnlyList<StateKey> Select(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        return Select(pdu.RoomVersion, pdu.Type, pdu.Sender, pdu.StateKey, pdu.Content);
    }

    /// <summary>As <see cref="Select(Pdu)"/> for an event given by its fields (for example one still being built).</summary>
    public static IReadOnlyList<StateKey> Select(RoomVersion version, string type, string sender, string? stateKey, JsonElement content)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (type == EventTypes.Create && stateKey?.Length == 0)
        {
            return [];
        }

        var keys = new List<StateKey>(6);
        AuthKeys.Of(version, type, sender, stateKey, content).AddSelection(keys, includeCreate: !version.RoomIdIsCreateEventHash);
        return keys;
    }

    /// <summary>
    /// The keys state resolution reads from the partially resolved state when replaying <paramref name="pdu"/>: the
    /// selection plus the create event in every room version (Synapse's <c>auth_types_for_event</c>; in v12 the create
    /// event is otherwise implied).
    /// </summary>
    internal static void AddReplayKeys(Pdu pdu, List<StateKey> keys)
    {
        if (pdu.IsCreateEvent)
        {
            return;
        }

        AuthKeys.Of(pdu).AddSelection(keys, includeCreate: true);
    }
}
