using System.Text.Json;
using Federation.Protocol.Events;

namespace Federation.StateResolution.Auth;

/// <summary>
/// The state-dependent auth rules of room versions 1–12: whether an event is allowed given the state it is checked
/// against. Where the spec text and Synapse differ, this computes what Synapse computes (see docs/state-resolution.md).
/// The state-independent checks on an event's own <c>auth_events</c> are <see cref="AuthEventsCheck"/>.
/// </summary>
public static class AuthRules
{
    private const long DefaultBanLevel = 50;
    private const long DefaultKickLevel = 50;
    private const long DefaultRedactLevel = 50;
    private const long DefaultInviteLevel = 0;
    private const long DefaultStateLevel = 50;
    private const long DefaultEventsLevel = 0;

    /// <summary>Checks <paramref name="pdu"/> against <paramref name="authEvents"/> (later events with the same key win).</summary>
    public static AuthResult Check(Pdu pdu, IEnumerable<Pdu> authEvents) => Check(pdu, AuthState.From(pdu, authEvents));

    /// <summary>Checks <paramref name="pdu"/> against the auth state <paramref name="state"/>.</summary>
    public static AuthResult Check(Pdu pdu, in AuthState state)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var version = pdu.RoomVersion;
        if (pdu.IsCreateEvent)
        {
            return AuthResult.Allowed;
        }

        var create = state.Create;
        if (create is null)
        {
            return AuthResult.Rejected("no create event in the auth state");
        }

        if (!SameServer(create.Sender, pdu.Sender) && !CanFederate(create))
        {
            return AuthResult.Rejected("the room is not federated (m.federate is false) and the sender is on another server");
        }

        if (version.HasAliasesAuthRule && pdu.Type == EventTypes.Aliases)
        {
            if (string.IsNullOrEmpty(pdu.StateKey))
            {
                return AuthResult.Rejected("m.room.aliases needs a non-empty state_key");
            }

            return pdu.StateKey == MatrixIds.ServerNameOf(pdu.Sender)
                ? AuthResult.Allowed
                : AuthResult.Rejected("m.room.aliases state_key must be the sender's server");
        }

        if (pdu.Type == EventTypes.Member)
        {
            return CheckMembership(pdu, state);
        }

        if (!IsJoined(state.SenderMember))
        {
            return AuthResult.Rejected("the sender is not joined to the room");
        }

        if (pdu.Type == EventTypes.ThirdPartyInvite)
        {
            return UserLevel(pdu.Sender, state) >= NamedLevel(state, PowerLevelsContent.Invite, DefaultInviteLevel)
                ? AuthResult.Allowed
                : AuthResult.Rejected("the sender's power level is below the invite level");
        }

        var sendCheck = CheckSendLevel(pdu, state);
        if (!sendCheck.IsAllowed)
        {
            return sendCheck;
        }

        if (pdu.Type == EventTypes.PowerLevels)
        {
            var plCheck = CheckPowerLevels(pdu, state);
            if (!plCheck.IsAllowed)
            {
                return plCheck;
            }
        }

        if (pdu.Type == EventTypes.Redaction && version.HasRedactionAuthRule)
        {
            return CheckRedaction(pdu, state);
        }

        return AuthResult.Allowed;
    }

    /// <summary>
    /// A user's power level in <paramref name="state"/>: infinite (2^53) for v12 creators; else <c>users[user]</c>,
    /// <c>users_default</c>, 0; with no power levels event 100 for the creator and 0 for everyone else.
    /// </summary>
    public static long UserLevel(string userId, in AuthState state)
    {
        ArgumentNullException.ThrowIfNull(userId);
        return UserLevel(userId, state.Create, state.PowerLevels);
    }

    internal static long UserLevel(string userId, Pdu? create, Pdu? powerLevels)
    {
        if (create is not null && RoomCreators.IsPrivilegedCreator(create, userId))
        {
            return RoomCreators.PrivilegedCreatorPower;
        }

        if (powerLevels is not null)
        {
            var content = PowerLevelsContent.Of(powerLevels);
            if (content.Users.TryGetValue(userId, out var level))
            {
                return level;
            }

            return content.TopLevel(PowerLevelsContent.UsersDefault) ?? 0;
        }

        return create is not null && RoomCreators.Creator(create) == userId ? 100 : 0;
    }

    private static long NamedLevel(in AuthState state, int index, long defaultLevel) =>
        state.PowerLevels is null ? defaultLevel : PowerLevelsContent.Of(state.PowerLevels).TopLevel(index) ?? defaultLevel;

    private static bool CanFederate(Pdu create) =>
        !create.Content.TryGetProperty("m.federate", out var federate) || federate.ValueKind == JsonValueKind.True;

    /// <summary>Whether two ids have the same server name (the part after the first ':'), without allocating.</summary>
    private static bool SameServer(string a, string b)
    {
        var colonA = a.IndexOf(':', StringComparison.Ordinal);
        var colonB = b.IndexOf(':', StringComparison.Ordinal);
        if (colonA <= 0 || colonB <= 0 || colonA == a.Length - 1 || colonB == b.Length - 1)
        {
            return (colonA <= 0 || colonA == a.Length - 1) && (colonB <= 0 || colonB == b.Length - 1);
        }

        return a.AsSpan(colonA + 1).SequenceEqual(b.AsSpan(colonB + 1));
    }

    private static bool IsJoined(Pdu? member) => member?.Membership == "join";

    private static AuthResult CheckMembership(Pdu pdu, in AuthState state)
    {
        var version = pdu.RoomVersion;
        var membership = pdu.Membership;
        if (pdu.StateKey is null || membership is null)
        {
            return AuthResult.Rejected("a member event needs a state_key and a string content.membership");
        }

        var create = state.Create!;
        if (membership == "join" && pdu.PrevEvents.Count == 1 && pdu.PrevEvents[0] == create.EventId
            && RoomCreators.Creator(create) == pdu.StateKey)
        {
            // The creator's first join: keyed on prev_events == [create] exactly, as Synapse does.
            return AuthResult.Allowed;
        }

        var target = pdu.StateKey;
        if (!SameServer(create.Sender, target) && !CanFederate(create))
        {
            return AuthResult.Rejected("the room is not federated (m.federate is false) and the target is on another server");
        }

        var caller = state.SenderMember?.Membership;
        var callerJoined = caller == "join";
        var callerInvited = caller == "invite";
        var callerKnocked = version.AllowsKnocking && caller == "knock";
        var targetMembership = state.TargetMember?.Membership;
        var targetJoined = targetMembership == "join";
        var targetBanned = targetMembership == "ban";
        var joinRule = JoinRule(state.JoinRules);

        var userLevel = UserLevel(pdu.Sender, state);
        var targetLevel = UserLevel(target, state);
        var inviteLevel = NamedLevel(state, PowerLevelsContent.Invite, DefaultInviteLevel);
        var banLevel = NamedLevel(state, PowerLevelsContent.Ban, DefaultBanLevel);

        if (membership == "invite" && pdu.Content.TryGetProperty("third_party_invite", out _))
        {
            if (!ThirdPartyInvites.Verify(pdu, state.ThirdPartyInvite))
            {
                return AuthResult.Rejected("the third-party invite does not verify");
            }

            return targetBanned ? AuthResult.Rejected("the target is banned") : AuthResult.Allowed;
        }

        if (membership != "join" && membership != "knock")
        {
            if ((callerInvited || callerKnocked) && membership == "leave" && target == pdu.Sender)
            {
                return AuthResult.Allowed;
            }

            if (!callerJoined)
            {
                return AuthResult.Rejected("the sender is not joined to the room");
            }
        }

        switch (membership)
        {
            case "invite":
                if (targetBanned)
                {
                    return AuthResult.Rejected("the target is banned");
                }

                if (targetJoined)
                {
                    return AuthResult.Rejected("the target is already joined");
                }

                return userLevel >= inviteLevel ? AuthResult.Allowed : AuthResult.Rejected("the sender's power level is below the invite level");

            case "join":
                if (pdu.Sender != target)
                {
                    return AuthResult.Rejected("a user can only join themselves");
                }

                if (targetBanned)
                {
                    return AuthResult.Rejected("the user is banned");
                }

                if (joinRule == "public")
                {
                    return AuthResult.Allowed;
                }

                if ((version.AllowsRestrictedJoins && joinRule == "restricted")
                    || (version.AllowsKnockRestrictedJoins && joinRule == "knock_restricted"))
                {
                    if (callerJoined || callerInvited)
                    {
                        return AuthResult.Allowed;
                    }

                    if (!pdu.Content.TryGetProperty("join_authorised_via_users_server", out var authoriser)
                        || authoriser.ValueKind == JsonValueKind.Null)
                    {
                        return AuthResult.Rejected("a restricted join needs join_authorised_via_users_server");
                    }

                    if (authoriser.ValueKind != JsonValueKind.String || !IsJoined(state.AuthoriserMember))
                    {
                        return AuthResult.Rejected("the authorising user is not joined to the room");
                    }

                    return UserLevel(authoriser.GetString()!, state) >= inviteLevel
                        ? AuthResult.Allowed
                        : AuthResult.Rejected("the authorising user's power level is below the invite level");
                }

                if (joinRule == "invite"
                    || (version.AllowsKnocking && joinRule == "knock")
                    || (version.AllowsKnockRestrictedJoins && joinRule == "knock_restricted"))
                {
                    return callerJoined || callerInvited ? AuthResult.Allowed : AuthResult.Rejected("the user is not invited");
                }

                return AuthResult.Rejected("the join rule does not allow joining");

            case "leave":
                if (targetBanned && userLevel < banLevel)
                {
                    return AuthResult.Rejected("unbanning needs the ban level");
                }

                if (target != pdu.Sender)
                {
                    var kickLevel = NamedLevel(state, PowerLevelsContent.Kick, DefaultKickLevel);
                    if (!targetBanned || userLevel < banLevel)
                    {
                        if (userLevel < kickLevel || userLevel <= targetLevel)
                        {
                            return AuthResult.Rejected("kicking needs the kick level and a level above the target's");
                        }
                    }
                }

                return AuthResult.Allowed;

            case "ban":
                if (userLevel < banLevel)
                {
                    return AuthResult.Rejected("the sender's power level is below the ban level");
                }

                return userLevel > targetLevel ? AuthResult.Allowed : AuthResult.Rejected("the target's power level is not below the sender's");

            case "knock" when version.AllowsKnocking:
                if (joinRule != "knock" && !(version.AllowsKnockRestrictedJoins && joinRule == "knock_restricted"))
                {
                    return AuthResult.Rejected("the join rule does not allow knocking");
                }

                if (target != pdu.Sender)
                {
                    return AuthResult.Rejected("a user can only knock for themselves");
                }

                if (targetJoined)
                {
                    return AuthResult.Rejected("the user is already joined");
                }

                if (callerInvited)
                {
                    return AuthResult.Rejected("the user is already invited");
                }

                return targetBanned ? AuthResult.Rejected("the user is banned") : AuthResult.Allowed;

            default:
                return AuthResult.Rejected($"unknown membership '{membership}'");
        }
    }

    /// <summary>
    /// The join rule in force: <c>content.join_rule</c>, <c>invite</c> when the event has no <c>join_rule</c> or there
    /// is no join rules event (Synapse's default), and an unmatched value when it is not a string.
    /// </summary>
    private static string JoinRule(Pdu? joinRules)
    {
        if (joinRules is null || !joinRules.Content.TryGetProperty("join_rule", out var rule))
        {
            return "invite";
        }

        return rule.ValueKind == JsonValueKind.String ? rule.GetString()! : "\0not-a-string";
    }

    private static AuthResult CheckSendLevel(Pdu pdu, in AuthState state)
    {
        long required;
        var content = state.PowerLevels is null ? null : PowerLevelsContent.Of(state.PowerLevels);
        if (content is not null && content.Events.TryGetValue(pdu.Type, out var eventLevel))
        {
            required = eventLevel;
        }
        else if (pdu.StateKey is not null)
        {
            required = content?.TopLevel(PowerLevelsContent.StateDefault) ?? DefaultStateLevel;
        }
        else
        {
            required = content?.TopLevel(PowerLevelsContent.EventsDefault) ?? DefaultEventsLevel;
        }

        if (UserLevel(pdu.Sender, state) < required)
        {
            return AuthResult.Rejected("the sender's power level is below the level needed to send this event");
        }

        if (pdu.StateKey is { Length: > 0 } stateKey && stateKey[0] == '@' && stateKey != pdu.Sender)
        {
            return AuthResult.Rejected("a state key starting with @ must be the sender");
        }

        return AuthResult.Allowed;
    }

    private static AuthResult CheckPowerLevels(Pdu pdu, in AuthState state)
    {
        var version = pdu.RoomVersion;
        var next = PowerLevelsContent.Of(pdu);
        if (next.HasInvalidUserIds || next.HasMalformedValues || next.HasNullEntries)
        {
            return AuthResult.Rejected("the power levels contain a value that is not a level or a key that is not a user id");
        }

        if (version.HasPrivilegedCreators)
        {
            foreach (var creator in RoomCreators.PrivilegedCreators(state.Create!))
            {
                if (next.Users.ContainsKey(creator))
                {
                    return AuthResult.Rejected("creators must not appear in the power levels' users");
                }
            }
        }

        if (version.RequiresIntegerPowerLevels && !next.AllIntegers)
        {
            return AuthResult.Rejected("power levels must be integers in this room version");
        }

        // Synapse compares against the current event of the same (type, state_key).
        var current = pdu.StateKey?.Length == 0 ? state.PowerLevels : null;
        if (current is null)
        {
            return AuthResult.Allowed;
        }

        var previous = PowerLevelsContent.Of(current);
        if (previous.HasMalformedValues || previous.HasNullEntries)
        {
            return AuthResult.Rejected("the current power levels contain a value that is not a level");
        }

        var userLevel = UserLevel(pdu.Sender, state);
        for (var i = 0; i < PowerLevelsContent.TopLevelNames.Length; i++)
        {
            if (!LevelChangeAllowed(previous.TopLevel(i), next.TopLevel(i), userLevel, isOtherUser: false))
            {
                return AuthResult.Rejected($"changing '{PowerLevelsContent.TopLevelNames[i]}' needs a higher power level");
            }
        }

        if (!MapChangeAllowed(previous.Users, next.Users, userLevel, pdu.Sender)
            || !MapChangeAllowed(previous.Events, next.Events, userLevel, sender: null)
            || (version.LimitsNotificationsPowerLevels && !MapChangeAllowed(previous.Notifications, next.Notifications, userLevel, sender: null)))
        {
            return AuthResult.Rejected("the power level change needs a higher power level");
        }

        return AuthResult.Allowed;
    }

    private static bool MapChangeAllowed(Dictionary<string, long> previous, Dictionary<string, long> next, long userLevel, string? sender)
    {
        foreach (var (key, old) in previous)
        {
            var isOtherUser = sender is not null && key != sender;
            if (!LevelChangeAllowed(old, next.TryGetValue(key, out var value) ? value : null, userLevel, isOtherUser))
            {
                return false;
            }
        }

        foreach (var (key, value) in next)
        {
            if (!previous.ContainsKey(key) && !LevelChangeAllowed(null, value, userLevel, isOtherUser: false))
            {
                return false;
            }
        }

        return true;
    }

    private static bool LevelChangeAllowed(long? old, long? next, long userLevel, bool isOtherUser)
    {
        if (old == next)
        {
            return true;
        }

        if (isOtherUser && old is not null && old >= userLevel)
        {
            return false;
        }

        return !(old > userLevel) && !(next > userLevel);
    }

    private static AuthResult CheckRedaction(Pdu pdu, in AuthState state)
    {
        if (UserLevel(pdu.Sender, state) >= NamedLevel(state, PowerLevelsContent.Redact, DefaultRedactLevel))
        {
            return AuthResult.Allowed;
        }

        if (pdu.Redacts is null)
        {
            // Synapse lets a redaction without a string 'redacts' through here.
            return AuthResult.Allowed;
        }

        return MatrixIds.ServerNameOf(pdu.EventId) == MatrixIds.ServerNameOf(pdu.Redacts)
            ? AuthResult.Allowed
            : AuthResult.Rejected("redacting another server's event needs the redact level");
    }
}
