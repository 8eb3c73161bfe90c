using System.Collections.Concurrent;
using System.Text.Json;
using Federation.Client.Http;
using Federation.Client.Keys;
using Federation.Ingest.Access;
using Federation.Ingest.Checks;
using Federation.Ingest.State;
using Federation.Ingest.Store;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Ingest;

/// <summary>
/// Receives PDUs pushed by other servers and runs them through the checks in the spec's order: format, signatures,
/// content hash, auth against the event's own auth events, against the state before it, against the current state.
/// Unknown prev events are asked from the origin with one <c>/get_missing_events</c>; a pushed event whose gap does
/// not close is not persisted, so that it never becomes a backward extremity whose state its sender dictates.
/// Work on one room is serialised within the process (the store serialises writers across processes).
/// </summary>
public sealed partial class PduIngestor(
    DagStore store,
    StateCalculator state,
    FederationClient client,
    IRemoteServerKeys keys,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<PduIngestor> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _roomLocks = new(StringComparer.Ordinal);
    private readonly StateCalculator _state = state;
    private readonly AuthChecks _auth = new(new StoreEventSource(store));
    private readonly PduSignatureCheck _signatures = new(keys);

    /// <summary>Receives one PDU from a <c>/send</c> transaction of <paramref name="origin"/>.</summary>
    /// <returns>The event id (null when the PDU is too malformed to have one) and what became of it.</returns>
    public async Task<(string? EventId, PduOutcome Outcome)> ReceivePushedAsync(string origin, JsonElement json, CancellationToken cancellationToken)
    {
        var roomId = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("room_id", out var room) && room.ValueKind == JsonValueKind.String
            ? room.GetString()!
            : null;
        if (roomId is null)
        {
            return (null, PduOutcome.Dropped("'room_id' is required and must be a string"));
        }

        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            return (null, PduOutcome.Dropped($"This server is not in room {roomId}"));
        }

        if (!await AclAllowsAsync(roomId, version, origin, cancellationToken).ConfigureAwait(false))
        {
            return (null, PduOutcome.Dropped($"{origin} is denied by the server ACL of {roomId}"));
        }

        var (pdu, eventId, redacted, outcome) = await VerifyAsync(json, version, roomId, cancellationToken).ConfigureAwait(false);
        if (pdu is null)
        {
            return (eventId, outcome);
        }

        if (await HeldWithStateAsync(pdu.EventId, cancellationToken).ConfigureAwait(false))
        {
            return (pdu.EventId, PduOutcome.Accepted);
        }

        // Remote requests happen before the room is locked, within one deadline, so that a slow or hostile server
        // cannot hold up everyone else's events for the room.
        using var deadline = new CancellationTokenSource(options.Value.GapFillTimeout, time);
        using var remote = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var pulled = await PullMissingEventsAsync(origin, pdu, version, remote.Token).ConfigureAwait(false);
        var authChain = await PullAuthChainAsync(origin, pdu, remote.Token).ConfigureAwait(false);

        var roomLock = _roomLocks.GetOrAdd(roomId, _ => new SemaphoreSlim(1, 1));
        await roomLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await HeldWithStateAsync(pdu.EventId, cancellationToken).ConfigureAwait(false))
            {
                return (pdu.EventId, PduOutcome.Accepted);
            }

            await PersistAuthChainAsync(authChain, cancellationToken).ConfigureAwait(false);
            foreach (var (pulledPdu, pulledRedacted) in pulled)
            {
                if (!await HeldWithStateAsync(pulledPdu.EventId, cancellationToken).ConfigureAwait(false)
                    && (await MissingPrevEventsAsync(pulledPdu, cancellationToken).ConfigureAwait(false)).Count == 0)
                {
                    await CheckAndPersistAsync(pulledPdu, pulledRedacted, cancellationToken).ConfigureAwait(false);
                }
            }

            var missingPrevs = await MissingPrevEventsAsync(pdu, cancellationToken).ConfigureAwait(false);
            if (missingPrevs.Count > 0)
            {
                return (pdu.EventId, PduOutcome.Dropped($"Prev events could not be found: {string.Join(", ", missingPrevs)}"));
            }

            return (pdu.EventId, await CheckAndPersistAsync(pdu, redacted, cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            roomLock.Release();
        }
    }

    /// <summary>Whether the room's current server ACL lets <paramref name="origin"/> send events into it.</summary>
    private async Task<bool> AclAllowsAsync(string roomId, RoomVersion version, string origin, CancellationToken cancellationToken)
    {
        var current = await _state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        if (current[EventTypes.ServerAcl, ""] is not { } aclId)
        {
            return true;
        }

        var acl = await store.GetEventsAsync([aclId], cancellationToken).ConfigureAwait(false);
        return acl.Count == 0 || ServerAcl.FromContent(acl[0].Pdu.Content).Allows(origin);
    }

    /// <summary>
    /// Checks 1–3: format, signatures, content hash (a mismatch redacts the event). The event id is known once the
    /// format check passed, also for an event dropped afterwards.
    /// </summary>
    private async Task<(Pdu? Pdu, string? EventId, JsonElement? Redacted, PduOutcome Outcome)> VerifyAsync(
        JsonElement json, RoomVersion version, string roomId, CancellationToken cancellationToken)
    {
        var format = PduFormatCheck.Check(json, version, enforceReferenceLimits: true, out var pdu);
        if (pdu is null)
        {
            return (null, null, null, format);
        }

        if (pdu.RoomId != roomId)
        {
            return (null, pdu.EventId, null, PduOutcome.Dropped($"Event is in room {pdu.RoomId}, not {roomId}"));
        }

        if (pdu.IsCreateEvent)
        {
            // The room exists, so its create event is held: another one could only reset the room's state.
            return (null, pdu.EventId, null, PduOutcome.Dropped("The room already has its create event"));
        }

        var signatures = await _signatures.CheckAsync(pdu, cancellationToken).ConfigureAwait(false);
        if (!signatures.IsAccepted)
        {
            return (null, pdu.EventId, null, signatures);
        }

        var (checkedPdu, redacted) = ContentHashCheck.Apply(pdu);
        return (checkedPdu, checkedPdu.EventId, redacted ? checkedPdu.Json : null, PduOutcome.Accepted);
    }

    /// <summary>Checks 4–6 and persisting, for an event whose prev events are all held with state.</summary>
    private async Task<PduOutcome> CheckAndPersistAsync(Pdu pdu, JsonElement? redacted, CancellationToken cancellationToken)
    {
        var (missingAuth, own) = await _auth.AgainstOwnAuthEventsAsync(pdu, cancellationToken).ConfigureAwait(false);
        if (missingAuth.Count > 0)
        {
            // Premature to reject: the auth events may arrive later. Not persisted, so it can be received again.
            return PduOutcome.Dropped($"Auth events could not be found: {string.Join(", ", missingAuth)}");
        }

        var stateBefore = await _state.StateBeforeAsync(pdu, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"State before {pdu.EventId} is unknown although its prev events are held");
        var outcome = own.IsAccepted ? await _auth.AgainstStateAsync(pdu, stateBefore, cancellationToken).ConfigureAwait(false) : own;
        if (outcome.IsAccepted && !await BuildsOnAllExtremitiesAsync(pdu, cancellationToken).ConfigureAwait(false))
        {
            // As Synapse does, the event's own state takes part, so that state it rightly builds on (a branch that is
            // no extremity any more) is not held against it; when its prevs are the extremities, step 5 already did this.
            var current = await _state.CurrentStateAsync(pdu.RoomId, pdu.RoomVersion, stateBefore, cancellationToken).ConfigureAwait(false);
            var againstCurrent = await _auth.AgainstStateAsync(pdu, current, cancellationToken).ConfigureAwait(false);
            if (!againstCurrent.IsAccepted)
            {
                outcome = PduOutcome.SoftFailed(againstCurrent.Reason!);
            }
        }

        var toPersist = new EventToPersist(pdu)
        {
            Status = outcome.Disposition switch
            {
                PduDisposition.Rejected => EventStatus.Rejected,
                PduDisposition.SoftFailed => EventStatus.SoftFailed,
                _ => EventStatus.Accepted,
            },
            RejectionReason = outcome.Disposition == PduDisposition.Rejected ? outcome.Reason : null,
            RedactedJson = redacted,
            StateBefore = pdu.PrevEvents.Distinct(StringComparer.Ordinal).Count() == 1
                ? StateBefore.SameAsAfter(pdu.PrevEvents[0])
                : StateBefore.Full(stateBefore.Entries),
        };
        await store.PersistEventsAsync([toPersist], cancellationToken).ConfigureAwait(false);
        LogOutcome(logger, pdu.EventId, pdu.RoomId, outcome.Disposition, outcome.Reason);
        return outcome;
    }

    private async Task<bool> BuildsOnAllExtremitiesAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        var extremities = await store.GetForwardExtremitiesAsync(pdu.RoomId, cancellationToken).ConfigureAwait(false);
        return extremities.ToHashSet(StringComparer.Ordinal).SetEquals(pdu.PrevEvents);
    }

    private async Task<bool> HeldWithStateAsync(string eventId, CancellationToken cancellationToken)
    {
        var held = await store.GetEventsAsync([eventId], cancellationToken).ConfigureAwait(false);
        return held.Count == 1 && !held[0].IsOutlier;
    }

    private async Task<IReadOnlyList<string>> MissingPrevEventsAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        var prevs = pdu.PrevEvents.Distinct(StringComparer.Ordinal).ToArray();
        var held = await store.GetEventsAsync(prevs, cancellationToken).ConfigureAwait(false);
        var withState = held.Where(e => !e.IsOutlier).Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        return prevs.Where(id => !withState.Contains(id)).ToArray();
    }

    /// <summary>
    /// When prev events are unknown: one <c>/get_missing_events</c> to the origin, walking back from the event to what
    /// we hold. The answer is verified like pushed events and returned oldest first, to be processed under the room lock.
    /// </summary>
    private async Task<IReadOnlyList<(Pdu Pdu, JsonElement? Redacted)>> PullMissingEventsAsync(
        string origin, Pdu pdu, RoomVersion version, CancellationToken cancellationToken)
    {
        if ((await MissingPrevEventsAsync(pdu, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return [];
        }

        var extremities = await store.GetForwardExtremitiesAsync(pdu.RoomId, cancellationToken).ConfigureAwait(false);
        var body = JsonSerializer.SerializeToElement(new
        {
            earliest_events = extremities,
            latest_events = new[] { pdu.EventId },
            limit = options.Value.MissingEventsLimit,
            min_depth = 0,
        });
        using var response = await client.SendAsync(
            origin,
            HttpMethod.Post,
            "/_matrix/federation/v1/get_missing_events/" + Uri.EscapeDataString(pdu.RoomId),
            body,
            sign: true,
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess
            || !response.Body!.RootElement.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
        {
            LogMissingEventsFailed(logger, pdu.EventId, origin, response.Failure ?? "no 'events' array");
            return [];
        }

        var pulled = new List<(Pdu Pdu, JsonElement? Redacted)>();
        foreach (var item in events.EnumerateArray().Take(DagStore.MaxMissingEventsLimit))
        {
            var (verified, _, redacted, _) = await VerifyAsync(item.Clone(), version, pdu.RoomId, cancellationToken).ConfigureAwait(false);
            if (verified is not null)
            {
                pulled.Add((verified, redacted));
            }
        }

        return [.. pulled.OrderBy(p => p.Pdu.Depth).ThenBy(p => p.Pdu.OriginServerTs)];
    }

    /// <summary>
    /// When auth events of <paramref name="pdu"/> are unknown: one <c>/event_auth</c> to the origin. The events returned
    /// are verified (format without the reference limits, room, signatures, content hash) and returned for
    /// <see cref="PersistAuthChainAsync"/>.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, (Pdu Pdu, JsonElement? Redacted)>> PullAuthChainAsync(
        string origin, Pdu pdu, CancellationToken cancellationToken)
    {
        var (missing, _) = await _auth.AgainstOwnAuthEventsAsync(pdu, cancellationToken).ConfigureAwait(false);
        if (missing.Count == 0)
        {
            return new Dictionary<string, (Pdu, JsonElement?)>();
        }

        using var response = await client.GetAsync(
            origin,
            $"/_matrix/federation/v1/event_auth/{Uri.EscapeDataString(pdu.RoomId)}/{Uri.EscapeDataString(pdu.EventId)}",
            cancellationToken).ConfigureAwait(false);
        var fetched = new Dictionary<string, (Pdu Pdu, JsonElement? Redacted)>(StringComparer.Ordinal);
        if (!response.IsSuccess
            || !response.Body!.RootElement.TryGetProperty("auth_chain", out var chain) || chain.ValueKind != JsonValueKind.Array)
        {
            LogAuthChainFailed(logger, pdu.EventId, origin, response.Failure ?? "no 'auth_chain' array");
            return fetched;
        }

        foreach (var item in chain.EnumerateArray().Take(MaxAuthChainEvents))
        {
            // History is not held to the limits on new events' reference counts.
            var format = PduFormatCheck.Check(item.Clone(), pdu.RoomVersion, enforceReferenceLimits: false, out var candidate);
            if (candidate is null || !format.IsAccepted || candidate.RoomId != pdu.RoomId
                || !(await _signatures.CheckAsync(candidate, cancellationToken).ConfigureAwait(false)).IsAccepted)
            {
                continue;
            }

            var (checkedPdu, redacted) = ContentHashCheck.Apply(candidate);
            fetched[checkedPdu.EventId] = (checkedPdu, redacted ? checkedPdu.Json : null);
        }

        return fetched;
    }

    /// <summary>
    /// Stores a fetched auth chain as outliers, each checked against its own auth events in auth order (rejected when
    /// they refuse it); one whose auth events are nowhere to be found is dropped, and so are the events that depend on it.
    /// </summary>
    private async Task PersistAuthChainAsync(IReadOnlyDictionary<string, (Pdu Pdu, JsonElement? Redacted)> fetched, CancellationToken cancellationToken)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        bool progress;
        do
        {
            progress = false;
            foreach (var (id, (candidate, redacted)) in fetched.Where(f => !done.Contains(f.Key)).ToArray())
            {
                if (candidate.AuthEvents.Any(auth => fetched.ContainsKey(auth) && !done.Contains(auth)))
                {
                    continue;
                }

                done.Add(id);
                progress = true;
                if (await HeldWithStateAsync(id, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                var (missing, outcome) = await _auth.AgainstOwnAuthEventsAsync(candidate, cancellationToken).ConfigureAwait(false);
                if (missing.Count > 0)
                {
                    continue;
                }

                await store.PersistEventsAsync(
                    [new EventToPersist(candidate)
                    {
                        IsOutlier = true,
                        Status = outcome.IsAccepted ? EventStatus.Accepted : EventStatus.Rejected,
                        RejectionReason = outcome.IsAccepted ? null : outcome.Reason,
                        RedactedJson = redacted,
                    }],
                    cancellationToken).ConfigureAwait(false);
            }
        }
        while (progress);
    }

    /// <summary>Most events taken from one <c>/event_auth</c> answer.</summary>
    private const int MaxAuthChainEvents = 10_000;

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "event_auth for {EventId} from {Origin} failed: {Failure}")]
    private static partial void LogAuthChainFailed(ILogger logger, string eventId, string origin, string failure);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Event {EventId} in {RoomId}: {Disposition} {Reason}")]
    private static partial void LogOutcome(ILogger logger, string eventId, string roomId, PduDisposition disposition, string? reason);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "get_missing_events for {EventId} from {Origin} failed: {Failure}")]
    private static partial void LogMissingEventsFailed(ILogger logger, string eventId, string origin, string failure);
}
