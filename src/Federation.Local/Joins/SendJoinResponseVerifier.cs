using System.Text.Json;
using Federation.Client.Keys;
using Federation.Ingest.Checks;
using Federation.Local.Events;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Events;
using Federation.Storage.Dag;

namespace Federation.Local.Joins;

/// <summary>
/// Checks a <c>send_join</c> answer before anything of it is stored: every state and auth-chain event must be a valid
/// event of the room and version, signed by the servers that must sign it (a content-hash mismatch redacts it), and
/// is then checked against its own auth events in auth order (failing ones are kept as rejected, events whose auth
/// events are nowhere are dropped). The state must hold the room's create event (for v12, the one the room id names)
/// of the right version, and the join must pass the auth rules against that state. Nothing is trusted beyond that.
/// </summary>
public sealed class SendJoinResponseVerifier(IRemoteServerKeys keys)
{
    private readonly PduSignatureCheck _signatures = new(keys);
    private readonly Countersignatures _countersignatures = new(keys);

    /// <summary>The verified answer of <paramref name="resident"/>, or the reason it cannot be used.</summary>
    public async Task<(VerifiedJoin? Join, string? Failure)> VerifyAsync(
        string resident, string roomId, RoomVersion version, Pdu ourJoin, JsonElement response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ourJoin);
        if (response.ValueKind != JsonValueKind.Object
            || !response.TryGetProperty("state", out var stateList) || stateList.ValueKind != JsonValueKind.Array
            || !response.TryGetProperty("auth_chain", out var chainList) || chainList.ValueKind != JsonValueKind.Array)
        {
            return (null, "the answer has no 'state' and 'auth_chain' arrays");
        }

        // The resident may countersign the join (restricted joins). Only its signature is taken from its copy, and only
        // when it verifies over our join: in room versions 1 and 2 the id does not cover the content, so the copy could
        // be another event under our id. Anything else in it (content, unsigned, other servers' signatures) is ignored.
        var join = ourJoin;
        if (response.TryGetProperty("event", out var theirJoin) && theirJoin.ValueKind == JsonValueKind.Object
            && await _countersignatures.AddAsync(ourJoin, theirJoin, resident, cancellationToken).ConfigureAwait(false) is { } countersigned)
        {
            join = countersigned;
        }

        var events = new Dictionary<string, (Pdu Pdu, JsonElement? Redacted)>(StringComparer.Ordinal);
        var stateIds = new List<string>();
        foreach (var (list, isState) in new[] { (stateList, true), (chainList, false) })
        {
            foreach (var item in list.EnumerateArray())
            {
                if (await VerifyEventAsync(item.Clone(), roomId, version, cancellationToken).ConfigureAwait(false) is not { } verified)
                {
                    continue;
                }

                events.TryAdd(verified.Pdu.EventId, verified);
                if (isState)
                {
                    stateIds.Add(verified.Pdu.EventId);
                }
            }
        }

        var (outliers, rejected) = CheckAuthOrder(events);
        var state = new Dictionary<StateSlot, string>();
        var stateEvents = new List<Pdu>();
        var accepted = outliers.Where(o => o.Status == EventStatus.Accepted).Select(o => o.Pdu.EventId).ToHashSet(StringComparer.Ordinal);
        foreach (var id in stateIds.Distinct(StringComparer.Ordinal).Where(accepted.Contains))
        {
            var pdu = events[id].Pdu;
            if (pdu.StateKey is null || !state.TryAdd(new StateSlot(pdu.Type, pdu.StateKey), id))
            {
                return (null, $"the state lists {id}, which is not a state event or repeats a slot");
            }

            stateEvents.Add(pdu);
        }

        if (CheckCreate(roomId, version, stateEvents) is { } createFailure)
        {
            return (null, createFailure);
        }

        if (CheckJoin(join, state, events, rejected) is { } joinFailure)
        {
            return (null, joinFailure);
        }

        return (new VerifiedJoin(outliers, state, join), null);
    }

    private async Task<(Pdu Pdu, JsonElement? Redacted)?> VerifyEventAsync(
        JsonElement json, string roomId, RoomVersion version, CancellationToken cancellationToken)
    {
        // History is not held to the reference-count limits of new events.
        var format = PduFormatCheck.Check(json, version, enforceReferenceLimits: false, out var pdu);
        if (!format.IsAccepted || pdu is null || pdu.RoomId != roomId
            || !(await _signatures.CheckAsync(pdu, cancellationToken).ConfigureAwait(false)).IsAccepted)
        {
            return null;
        }

        var (checkedPdu, redacted) = ContentHashCheck.Apply(pdu);
        return (checkedPdu, redacted ? checkedPdu.Json : null);
    }

    /// <summary>Auth order (Kahn over auth edges inside the answer); each event checked against its own auth events.</summary>
    private static (List<EventToPersist> Outliers, HashSet<string> Rejected) CheckAuthOrder(
        Dictionary<string, (Pdu Pdu, JsonElement? Redacted)> events)
    {
        var outliers = new List<EventToPersist>();
        var rejected = new HashSet<string>(StringComparer.Ordinal);
        var done = new HashSet<string>(StringComparer.Ordinal);
        var dropped = new HashSet<string>(StringComparer.Ordinal);
        bool progress;
        do
        {
            progress = false;
            foreach (var (id, (pdu, redacted)) in events)
            {
                if (done.Contains(id) || dropped.Contains(id))
                {
                    continue;
                }

                var authIds = AuthIdsOf(pdu);
                if (authIds.Any(a => events.ContainsKey(a) && !done.Contains(a) && !dropped.Contains(a)))
                {
                    continue;
                }

                progress = true;
                if (authIds.Any(a => !done.Contains(a)))
                {
                    // An auth event is missing from the answer (or was dropped): this event cannot be judged.
                    dropped.Add(id);
                    continue;
                }

                var result = Check(pdu, authIds, events, rejected);
                done.Add(id);
                if (!result.IsAllowed)
                {
                    rejected.Add(id);
                }

                outliers.Add(new EventToPersist(pdu)
                {
                    IsOutlier = true,
                    Status = result.IsAllowed ? EventStatus.Accepted : EventStatus.Rejected,
                    RejectionReason = result.Reason,
                    RedactedJson = redacted,
                });
            }
        }
        while (progress);

        return (outliers, rejected);
    }

    /// <summary>The auth events an event's checks read: its own list and, in room version 12, the create event the room id names.</summary>
    private static List<string> AuthIdsOf(Pdu pdu)
    {
        var ids = pdu.AuthEvents.ToList();
        if (pdu.RoomVersion.RoomIdIsCreateEventHash && !pdu.IsCreateEvent)
        {
            ids.Add("$" + pdu.RoomId[1..]);
        }

        return ids;
    }

    private static AuthResult Check(Pdu pdu, List<string> authIds, Dictionary<string, (Pdu Pdu, JsonElement? Redacted)> events, HashSet<string> rejected)
    {
        if (pdu.IsCreateEvent)
        {
            return AuthEventsCheck.CheckCreate(pdu);
        }

        EventLookup Lookup(string id) => new(events[id].Pdu, rejected.Contains(id));
        var own = pdu.AuthEvents.Select(Lookup).ToArray();
        var implied = pdu.RoomVersion.RoomIdIsCreateEventHash ? Lookup(authIds[^1]) : default;
        var structure = AuthEventsCheck.Check(pdu, own, implied);
        if (!structure.IsAllowed)
        {
            return structure;
        }

        return AuthRules.Check(pdu, authIds.Where(id => !rejected.Contains(id)).Select(id => events[id].Pdu));
    }

    private static string? CheckCreate(string roomId, RoomVersion version, List<Pdu> stateEvents)
    {
        var create = stateEvents.FirstOrDefault(e => e.IsCreateEvent);
        if (create is null)
        {
            return "the state has no create event";
        }

        var declared = create.Content.TryGetProperty("room_version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : "1";
        if (declared != version.Id)
        {
            return $"the create event says room version {declared}, the resident said {version.Id}";
        }

        if (version.RoomIdIsCreateEventHash && "!" + create.EventId[1..] != roomId)
        {
            return $"the create event {create.EventId} is not the one room id {roomId} names";
        }

        return null;
    }

    private static string? CheckJoin(Pdu join, Dictionary<StateSlot, string> state, Dictionary<string, (Pdu Pdu, JsonElement? Redacted)> events, HashSet<string> rejected)
    {
        var selected = AuthEventSelection.Select(join).Append(new StateKey(EventTypes.Create, ""))
            .Select(key => state.GetValueOrDefault(new StateSlot(key.Type, key.Key)))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Select(id => events[id].Pdu);
        var againstState = AuthRules.Check(join, selected);
        if (!againstState.IsAllowed)
        {
            return "the join is not allowed by the state given: " + againstState.Reason;
        }

        if (join.AuthEvents.Any(id => !events.ContainsKey(id)))
        {
            return "the join's auth events are not in the answer";
        }

        var ownIds = AuthIdsOf(join);
        if (ownIds.Any(id => !events.ContainsKey(id)))
        {
            return "the room's create event is not in the answer";
        }

        var own = Check(join, ownIds, events, rejected);
        return own.IsAllowed ? null : "the join is not allowed by its own auth events: " + own.Reason;
    }
}
