using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Events;

namespace Federation.Ingest.Checks;

/// <summary>
/// Steps 4 to 6 of the receive checks, the auth rules: against the event's own auth events (with the
/// state-independent checks on that list), then against the state before it, then against the room's current state.
/// </summary>
public sealed class AuthChecks(IEventSource events)
{
    /// <summary>
    /// Step 4. Returns the auth event ids this server does not hold (to fetch before trying again) or, when it holds
    /// them all, the outcome: rejected when the list is malformed or the rules refuse the event.
    /// </summary>
    public async Task<(IReadOnlyList<string> Missing, PduOutcome Outcome)> AgainstOwnAuthEventsAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (pdu.IsCreateEvent)
        {
            return ([], Outcome(AuthEventsCheck.CheckCreate(pdu)));
        }

        var ids = pdu.AuthEvents.ToList();
        var impliedCreateId = pdu.RoomVersion.RoomIdIsCreateEventHash ? "$" + pdu.RoomId[1..] : null;
        if (impliedCreateId is not null)
        {
            ids.Add(impliedCreateId);
        }

        var lookups = await events.GetEventsAsync(ids, cancellationToken).ConfigureAwait(false);
        var missing = ids.Where((_, i) => lookups[i].Event is null).ToArray();
        if (missing.Length > 0)
        {
            return (missing, PduOutcome.Accepted);
        }

        var own = lookups.Take(pdu.AuthEvents.Count).ToArray();
        var implied = impliedCreateId is null ? default : lookups[^1];
        var structure = AuthEventsCheck.Check(pdu, own, implied);
        if (!structure.IsAllowed)
        {
            return ([], Outcome(structure));
        }

        var authEvents = lookups.Where(l => !l.IsRejected).Select(l => l.Event!);
        return ([], Outcome(AuthRules.Check(pdu, authEvents)));
    }

    /// <summary>
    /// Step 5 (with <paramref name="state"/> the state before the event) or step 6 (the current state): the auth rules
    /// against the events of <paramref name="state"/> the auth-event selection picks.
    /// </summary>
    public async Task<PduOutcome> AgainstStateAsync(Pdu pdu, RoomState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        ArgumentNullException.ThrowIfNull(state);
        if (pdu.IsCreateEvent)
        {
            return PduOutcome.Accepted;
        }

        // The create event is always part of the auth state, also in room version 12 where auth_events leave it out.
        var ids = AuthEventSelection.Select(pdu)
            .Select(key => state[key.Type, key.Key])
            .Append(state[EventTypes.Create, ""])
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var lookups = await events.GetEventsAsync(ids, cancellationToken).ConfigureAwait(false);
        return Outcome(AuthRules.Check(pdu, lookups.Where(l => l.Event is not null && !l.IsRejected).Select(l => l.Event!)));
    }

    private static PduOutcome Outcome(AuthResult result) => result.IsAllowed ? PduOutcome.Accepted : PduOutcome.Rejected(result.Reason!);
}
