using System.Collections.Concurrent;
using System.Text.Json;
using Federation.Ingest.Access;
using Federation.Ingest.Batching;
using Federation.Ingest.Checks;
using Federation.Ingest.Diagnostics;
using Federation.Ingest.Extremities;
using Federation.Ingest.Gaps;
using Federation.Ingest.Holes;
using Federation.Ingest.Outliers;
using Federation.Ingest.Remote;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Ingest;

/// <summary>
/// Receives PDUs pushed by other servers and runs them through the checks in the spec's order: format, signatures,
/// content hash, auth against the event's own auth events, against the state before it, against the current state.
/// Unknown prev events are asked from the origin with one <c>/get_missing_events</c>. When the events it returns do
/// not reach what we hold although the answer is full, the gap is first handed to the <see cref="ILargeGapFiller"/> (set
/// reconciliation with the origin); the state at each prev the pulled events still lack is fetched (a hole) and
/// resolved with our own. A pushed event whose gap does not close is not persisted, so that it never becomes a
/// backward extremity whose state its sender dictates. A missing event whose pull failed is not asked for again until its back-off has passed (Synapse's
/// failed pull attempts). After a hole, stale forward extremities are pruned (<see cref="ExtremityPruner"/>). Work on
/// one room is serialised within the process (the store serialises writers across processes), and no remote request
/// is made while a room is locked.
/// </summary>
public sealed partial class PduIngestor(
    DagStore store,
    StateCalculator state,
    RemoteEventVerifier verifier,
    RemoteRoomReader remote,
    HoleSnapshotFetcher holes,
    HoleStateCalculator holeState,
    OutlierPersister outliers,
    ExtremityPruner pruner,
    ILargeGapFiller largeGaps,
    SettledEventCache cache,
    QueueRunIngestor runs,
    IOptions<IngestOptions> options,
    TimeProvider time,
    ILogger<PduIngestor> logger)
{
    /// <summary>Most <c>/event_auth</c> requests made for one pushed event and the events pulled with it.</summary>
    private const int MaxAuthChainRequests = 5;

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _roomLocks = new(StringComparer.Ordinal);

    /// <summary>Receives one PDU from <paramref name="origin"/> and processes it at once (admission, then the rest).</summary>
    /// <returns>The event id (null when the PDU is too malformed to have one) and what became of it.</returns>
    public async Task<(string? EventId, PduOutcome Outcome)> ReceivePushedAsync(string origin, JsonElement json, CancellationToken cancellationToken)
    {
        var (eventId, outcome, admitted) = await AdmitAsync(origin, json, cancellationToken).ConfigureAwait(false);
        return admitted is null ? (eventId, outcome) : (eventId, await ProcessAdmittedAsync(origin, admitted, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The checks a <c>/send</c> answers with, cheap and local but for the origin's keys: the room is ours, its ACL lets
    /// the origin in, the format, signatures and content hash. An event already held with state is accepted here.
    /// </summary>
    /// <returns>The event id when known, the outcome, and the event to process further when there is anything to do.</returns>
    public async Task<(string? EventId, PduOutcome Outcome, VerifiedEvent? Admitted)> AdmitAsync(
        string origin, JsonElement json, CancellationToken cancellationToken) =>
        (await AdmitTransactionAsync(origin, [json], mustKnowIfHeld: null, cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// <see cref="AdmitAsync"/> for every PDU of a transaction: the room's version and ACL are looked up once per room,
    /// and the PDUs' signatures are checked in parallel. Events the cache knows as held with state are accepted here;
    /// the store is asked, in one read, only about those in <paramref name="mustKnowIfHeld"/> (events whose state the
    /// answer must speak of now). Any other event already held is found by the worker before any work
    /// (<see cref="ProcessAdmittedAsync"/>): a pushed event is almost always new.
    /// </summary>
    /// <returns>One result per PDU, in order.</returns>
    public async Task<IReadOnlyList<(string? EventId, PduOutcome Outcome, VerifiedEvent? Admitted)>> AdmitTransactionAsync(
        string origin, IReadOnlyList<JsonElement> pdus, IReadOnlySet<string>? mustKnowIfHeld, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdus);
        var rooms = new Dictionary<string, (RoomVersion? Version, bool Allowed)>(StringComparer.Ordinal);
        foreach (var roomId in pdus.Select(RoomIdOf).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false);
            rooms[roomId] = (version, version is not null && await AclAllowsAsync(roomId, version, origin, cancellationToken).ConfigureAwait(false));
        }

        var results = new (string? EventId, PduOutcome Outcome, VerifiedEvent? Admitted)[pdus.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, pdus.Count), parallel, async (i, token) =>
            results[i] = await VerifyForAdmissionAsync(origin, pdus[i], rooms, token).ConfigureAwait(false)).ConfigureAwait(false);

        var verified = results.Select(r => r.Admitted?.Pdu).OfType<Pdu>().ToList();
        var held = verified.Where(p => KnownSettled(p.RoomVersion, p.EventId)).Select(p => p.EventId).ToHashSet(StringComparer.Ordinal);
        var ask = verified.Where(p => !held.Contains(p.EventId) && mustKnowIfHeld?.Contains(p.EventId) == true).Select(p => (p.RoomId, p.EventId));
        held.UnionWith(await HeldAsync(ask, withStateOnly: true, cancellationToken).ConfigureAwait(false));
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Admitted is { } admitted && held.Contains(admitted.EventId))
            {
                results[i] = (admitted.EventId, PduOutcome.Accepted, null);
            }
        }

        return results;
    }

    private async Task<(string? EventId, PduOutcome Outcome, VerifiedEvent? Admitted)> VerifyForAdmissionAsync(
        string origin, JsonElement json, Dictionary<string, (RoomVersion? Version, bool Allowed)> rooms, CancellationToken cancellationToken)
    {
        if (RoomIdOf(json) is not { } roomId)
        {
            return (null, PduOutcome.Dropped("'room_id' is required and must be a string"), null);
        }

        var (version, allowed) = rooms[roomId];
        if (version is null)
        {
            return (null, PduOutcome.Dropped($"This server is not in room {roomId}"), null);
        }

        if (!allowed)
        {
            // Refused before any signature work, but keyed by the event id (when it has one) so the origin sees why.
            PduFormatCheck.Check(json, version, enforceReferenceLimits: true, out var denied);
            return (denied?.EventId, PduOutcome.Dropped($"{origin} is denied by the server ACL of {roomId}"), null);
        }

        var (pushed, eventId, outcome) = await verifier.VerifyAsync(
            json, version, roomId, enforceReferenceLimits: true, expectedEventId: null, cancellationToken).ConfigureAwait(false);
        return pushed is null ? (eventId, outcome, null) : (pushed.EventId, PduOutcome.Accepted, pushed);
    }

    private static string? RoomIdOf(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty("room_id", out var room) && room.ValueKind == JsonValueKind.String
            ? room.GetString()!
            : null;

    /// <summary>
    /// The rest for an admitted event: what it needs from the origin (missing events, holes, auth chains), then, under
    /// the room's lock, the auth checks and persisting.
    /// </summary>
    public async Task<PduOutcome> ProcessAdmittedAsync(string origin, VerifiedEvent pushed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pushed);
        if (await HeldWithStateAsync(pushed.Pdu, cancellationToken).ConfigureAwait(false))
        {
            return PduOutcome.Accepted;
        }

        var fetched = await FetchForAsync(origin, pushed.Pdu, pushed.Pdu.RoomVersion, cancellationToken).ConfigureAwait(false);
        var roomLock = _roomLocks.GetOrAdd(pushed.Pdu.RoomId, _ => new SemaphoreSlim(1, 1));
        await roomLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await ProcessAsync(pushed, fetched, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            roomLock.Release();
        }
    }

    /// <summary>
    /// Everything remote that processing <paramref name="pdu"/> needs: the missing events before it, the state at the
    /// prev events they lack, and the auth chains of events whose auth events are unknown. It happens before the room is
    /// locked, within one deadline, so that a slow or hostile server cannot hold up everyone else's events for the room.
    /// Missing events backing off after a failed pull are not asked for; new failures are recorded (see
    /// <see cref="PullsAsync"/>).
    /// </summary>
    private async Task<FetchedForEvent> FetchForAsync(string origin, Pdu pdu, RoomVersion version, CancellationToken callerToken)
    {
        using var deadline = new CancellationTokenSource(options.Value.GapFillTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, deadline.Token);
        var cancellationToken = linked.Token;
        try
        {
            IReadOnlyList<VerifiedEvent> pulled = [];
            var pulledAgain = new List<string>();
            var missing = await MissingPrevEventsAsync([pdu], cancellationToken).ConfigureAwait(false);
            if (missing.Count > 0)
            {
                var (due, failedBefore) = await PullsAsync(pdu.RoomId, missing, cancellationToken).ConfigureAwait(false);
                if (due.Count == 0)
                {
                    LogBackingOff(logger, pdu.EventId, missing);
                    return FetchedForEvent.Nothing;
                }

                var extremities = await store.GetForwardExtremitiesAsync(pdu.RoomId, cancellationToken).ConfigureAwait(false);
                pulled = await remote.GetMissingEventsAsync(
                    origin, pdu.RoomId, version, extremities, [pdu.EventId], options.Value.MissingEventsLimit, cancellationToken).ConfigureAwait(false);
                if (pulled.Count == 0)
                {
                    await store.RecordFailedPullsAsync(pdu.RoomId, missing, $"/get_missing_events from {origin} gave no events", cancellationToken)
                        .ConfigureAwait(false);
                }
                else
                {
                    pulledAgain.AddRange(failedBefore);
                    if (pulled.Count >= options.Value.MissingEventsLimit)
                    {
                        await FillLargeGapAsync(origin, pdu, extremities, pulled, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            var snapshots = new Dictionary<string, HoleSnapshot>(StringComparer.Ordinal);
            var holePrevs = await MissingPrevEventsAsync(pulled.Select(p => p.Pdu), cancellationToken).ConfigureAwait(false);
            var (dueHoles, holesFailedBefore) = await PullsAsync(pdu.RoomId, holePrevs, cancellationToken).ConfigureAwait(false);
            var failedHoles = new List<string>();
            foreach (var prev in holePrevs.Take(options.Value.HolePrevEventsLimit))
            {
                if (!dueHoles.Contains(prev))
                {
                    IngestMetrics.RecordHoleBackingOff();
                    continue;
                }

                var snapshot = await holes.FetchAsync(origin, pdu.RoomId, version, prev, cancellationToken).ConfigureAwait(false);
                IngestMetrics.RecordHole(snapshot is not null);
                if (snapshot is null)
                {
                    failedHoles.Add(prev);
                    continue;
                }

                snapshots[prev] = snapshot;
                if (holesFailedBefore.Contains(prev))
                {
                    pulledAgain.Add(prev);
                }
            }

            if (failedHoles.Count > 0)
            {
                // The pulled events built on them cannot be placed either, and are recorded too (as Synapse records the
                // pulled event whose state it could not compute): a later answer that starts just after them then backs
                // off instead of asking for the state at them.
                var unplaceable = pulled.Where(p => p.Pdu.PrevEvents.Any(failedHoles.Contains)).Select(p => p.EventId);
                await store.RecordFailedPullsAsync(
                    pdu.RoomId, [.. failedHoles, .. unplaceable], $"The state at the hole or the event itself could not be fetched from {origin}",
                    cancellationToken).ConfigureAwait(false);
            }

            var fetchedSoFar = pulled.Select(p => p.EventId).Concat(snapshots.Values.SelectMany(s => s.Fetched.Select(f => f.EventId)));
            var authChains = new List<VerifiedEvent>();
            foreach (var needy in (await WithUnknownAuthEventsAsync([.. pulled.Select(p => p.Pdu), pdu], fetchedSoFar, cancellationToken).ConfigureAwait(false))
                .Take(MaxAuthChainRequests))
            {
                authChains.AddRange(await remote.GetAuthChainAsync(origin, pdu.RoomId, version, needy, cancellationToken).ConfigureAwait(false));
            }

            return new FetchedForEvent(pulled, snapshots, [.. authChains, .. snapshots.Values.SelectMany(s => s.Fetched)], pulledAgain);
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested)
        {
            // Out of time: go on with what was fetched (a pushed event whose gap stays open is refused).
            LogGapFillTimedOut(logger, pdu.EventId, origin);
            return FetchedForEvent.Nothing;
        }
    }

    /// <summary>
    /// When a full <c>/get_missing_events</c> answer does not reach what we hold, the gap may be far longer than the
    /// answer: the filler brings in the events of the window from our forward extremities (the gap hangs off one of
    /// them, the oldest bounds them all) to the pushed event, so the hole path is left only for what it could not close.
    /// </summary>
    private async Task FillLargeGapAsync(
        string origin, Pdu pdu, IReadOnlyList<string> extremities, IReadOnlyList<VerifiedEvent> pulled, CancellationToken cancellationToken)
    {
        if ((await MissingPrevEventsAsync(pulled.Select(p => p.Pdu), cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            return;
        }

        var held = await store.GetEventsAsync(extremities, cancellationToken).ConfigureAwait(false);
        var fromTs = held.Count == 0 ? 0 : Math.Max(0, held.Min(e => e.Pdu.OriginServerTs));
        var untilTs = Math.Max(fromTs, pdu.OriginServerTs) + 1;
        var filled = await largeGaps.FillAsync(origin, pdu.RoomId, fromTs, untilTs, cancellationToken).ConfigureAwait(false);
        IngestMetrics.RecordLargeGap(filled);
        LogLargeGap(logger, pdu.EventId, origin, pulled.Count, filled);
    }

    /// <summary>
    /// Of the missing <paramref name="eventIds"/>, those that may be pulled now, and those among them whose pull failed
    /// before. An event whose pull failed waits out its back-off (doubling per failure, <c>DagStoreOptions</c>) before it
    /// is asked for again; only failures are recorded, never a back-off, so one failure upstream does not spread to
    /// every event after it.
    /// </summary>
    private async Task<(IReadOnlySet<string> Due, IReadOnlySet<string> FailedBefore)> PullsAsync(
        string roomId, IReadOnlyList<string> eventIds, CancellationToken cancellationToken)
    {
        var failed = await store.GetFailedPullsAsync(roomId, eventIds, cancellationToken).ConfigureAwait(false);
        if (failed.Count == 0)
        {
            return (eventIds.ToHashSet(StringComparer.Ordinal), new HashSet<string>());
        }

        var now = time.GetUtcNow();
        var due = eventIds.Where(id => !failed.TryGetValue(id, out var pull) || pull.NextAttemptAt <= now).ToHashSet(StringComparer.Ordinal);
        return (due, failed.Keys.Where(due.Contains).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Under the room lock: stores the fetched outliers, the pulled events in order, then the pushed event.</summary>
    private async Task<PduOutcome> ProcessAsync(VerifiedEvent pushed, FetchedForEvent fetched, CancellationToken cancellationToken)
    {
        if (await HeldWithStateAsync(pushed.Pdu, cancellationToken).ConfigureAwait(false))
        {
            return PduOutcome.Accepted;
        }

        IngestMetrics.RecordOutliers(await outliers.PersistAsync(fetched.Outliers, cancellationToken).ConfigureAwait(false));
        // Events that need nothing more than the store and the run's own decisions are checked in memory and persisted
        // together (QueueRunIngestor); the others, and all after a run failed, one at a time as before.
        var persisted = new List<(Pdu Pdu, PduOutcome Outcome)>();
        IReadOnlyList<VerifiedEvent> events = [.. fetched.Pulled, pushed];
        var next = 0;
        var batching = true;
        while (next < events.Count)
        {
            if (batching)
            {
                var run = await TryRunAsync(events, next, cancellationToken).ConfigureAwait(false);
                batching = run is not null;
                if (run is { Count: > 0 })
                {
                    persisted.AddRange(run);
                    next += run.Count;
                    continue;
                }
            }

            if (next == events.Count - 1)
            {
                break;
            }

            var pulled = events[next++];
            if (await HeldWithStateAsync(pulled.Pdu, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            if ((await MissingPrevEventsAsync([pulled.Pdu], cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                persisted.Add((pulled.Pdu, await CheckAndPersistAsync(pulled, stateBefore: null, cancellationToken).ConfigureAwait(false)));
            }
            else if (await holeState.StateBeforeAsync(pulled.Pdu, fetched.Holes, cancellationToken).ConfigureAwait(false) is { } stateBefore)
            {
                persisted.Add((pulled.Pdu, await CheckAndPersistAsync(pulled, stateBefore, cancellationToken).ConfigureAwait(false)));
            }
        }

        if (next < events.Count)
        {
            var missingPrevs = await MissingPrevEventsAsync([pushed.Pdu], cancellationToken).ConfigureAwait(false);
            if (missingPrevs.Count > 0)
            {
                return Recorded(pushed.Pdu, PduOutcome.Dropped($"Prev events could not be found: {string.Join(", ", missingPrevs)}"));
            }

            persisted.Add((pushed.Pdu, await CheckAndPersistAsync(pushed, stateBefore: null, cancellationToken).ConfigureAwait(false)));
        }

        var outcome = persisted[^1].Outcome;

        // Pulled events placed across a hole may be ones that could not be placed before.
        var pulledAgain = fetched.Holes.Count == 0 ? fetched.PulledAgain : [.. fetched.PulledAgain, .. persisted.Select(p => p.Pdu.EventId)];
        await store.ClearFailedPullsAsync(pushed.Pdu.RoomId, pulledAgain, cancellationToken).ConfigureAwait(false);

        // The state after what was persisted may differ from the other extremities' only across a hole or through a
        // state event; otherwise there is nothing new to prune with.
        if (fetched.Holes.Count > 0 || persisted.Exists(p => p.Outcome.IsAccepted && p.Pdu.StateKey is not null))
        {
            var accepted = persisted.Where(p => p.Outcome.IsAccepted).Select(p => p.Pdu).ToList();
            await pruner.PruneAsync(pushed.Pdu.RoomId, pushed.Pdu.RoomVersion, accepted, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <summary>
    /// The run of <paramref name="events"/> from <paramref name="start"/> on that <see cref="QueueRunIngestor"/> checks
    /// and persists together; empty when the event at <paramref name="start"/> goes alone, null when the run failed (it
    /// wrote nothing then, and the events go one at a time).
    /// </summary>
    private async Task<IReadOnlyList<(Pdu Pdu, PduOutcome Outcome)>?> TryRunAsync(
        IReadOnlyList<VerifiedEvent> events, int start, CancellationToken cancellationToken)
    {
        try
        {
            return await runs.ProcessPulledRunAsync(events, start, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRunFailed(logger, events[start].EventId, e);
            return null;
        }
    }

    /// <summary>Whether the room's current server ACL lets <paramref name="origin"/> send events into it.</summary>
    private async Task<bool> AclAllowsAsync(string roomId, RoomVersion version, string origin, CancellationToken cancellationToken)
    {
        var current = await state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        if (current[EventTypes.ServerAcl, ""] is not { } aclId)
        {
            return true;
        }

        var acl = await store.GetEventsAsync([aclId], cancellationToken).ConfigureAwait(false);
        return acl.Count == 0 || ServerAcl.FromContent(acl[0].Pdu.Content).Allows(origin);
    }

    /// <summary>
    /// Checks 4–6 and persisting, for an event whose prev events are all held with state, or whose state before was
    /// computed across a hole (<paramref name="stateBefore"/>).
    /// </summary>
    private async Task<PduOutcome> CheckAndPersistAsync(VerifiedEvent verified, RoomState? stateBefore, CancellationToken cancellationToken)
    {
        var pdu = verified.Pdu;
        var auth = new AuthChecks(state.EventSource(pdu.RoomVersion));
        var (missingAuth, own) = await auth.AgainstOwnAuthEventsAsync(pdu, cancellationToken).ConfigureAwait(false);
        if (missingAuth.Count > 0)
        {
            // Premature to reject: the auth events may arrive later. Not persisted, so it can be received again.
            return Recorded(pdu, PduOutcome.Dropped($"Auth events could not be found: {string.Join(", ", missingAuth)}"));
        }

        var acrossHole = stateBefore is not null;
        stateBefore ??= await state.StateBeforeAsync(pdu, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"State before {pdu.EventId} is unknown although its prev events are held");
        var outcome = own.IsAccepted ? await auth.AgainstStateAsync(pdu, stateBefore, cancellationToken).ConfigureAwait(false) : own;
        if (outcome.IsAccepted && !await BuildsOnAllExtremitiesAsync(pdu, cancellationToken).ConfigureAwait(false))
        {
            // As Synapse does, the event's own state takes part, so that state it rightly builds on (a branch that is
            // no extremity any more) is not held against it; when its prevs are the extremities, step 5 already did this.
            var current = await state.CurrentStateAsync(pdu.RoomId, pdu.RoomVersion, stateBefore, cancellationToken).ConfigureAwait(false);
            var againstCurrent = await auth.AgainstStateAsync(pdu, current, cancellationToken).ConfigureAwait(false);
            if (!againstCurrent.IsAccepted)
            {
                outcome = PduOutcome.SoftFailed(againstCurrent.Reason!);
            }
        }

        var status = outcome.Disposition switch
        {
            PduDisposition.Rejected => EventStatus.Rejected,
            PduDisposition.SoftFailed => EventStatus.SoftFailed,
            _ => EventStatus.Accepted,
        };
        var toPersist = new EventToPersist(pdu)
        {
            Status = status,
            RejectionReason = outcome.Disposition == PduDisposition.Rejected ? outcome.Reason : null,
            RedactedJson = verified.Redacted,
            StateBefore = !acrossHole && pdu.PrevEvents.Distinct(StringComparer.Ordinal).Count() == 1
                ? StateBefore.SameAsAfter(pdu.PrevEvents[0])
                : StateBefore.Full(stateBefore.Entries),
        };
        var written = await store.PersistEventsAsync([toPersist], cancellationToken).ConfigureAwait(false);
        if (written.Persisted.Contains(pdu.EventId, StringComparer.Ordinal))
        {
            // What was just written, so the next event's checks need not read it back.
            if (!pdu.RoomVersion.UsesEventReferencePairs)
            {
                cache.AddEvent(pdu.EventId, new(pdu, status == EventStatus.Rejected));
            }

            cache.AddStateAfter(pdu.RoomId, pdu.EventId, stateBefore.After(pdu, status));
        }

        return Recorded(pdu, outcome);
    }

    private PduOutcome Recorded(Pdu pdu, PduOutcome outcome)
    {
        LogOutcome(logger, pdu.EventId, pdu.RoomId, outcome.Disposition, outcome.Reason);
        IngestMetrics.RecordPdu(outcome.Disposition);
        return outcome;
    }

    private async Task<bool> BuildsOnAllExtremitiesAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        var extremities = await store.GetForwardExtremitiesAsync(pdu.RoomId, cancellationToken).ConfigureAwait(false);
        return extremities.ToHashSet(StringComparer.Ordinal).SetEquals(pdu.PrevEvents);
    }

    private async Task<bool> HeldWithStateAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        if (KnownSettled(pdu.RoomVersion, pdu.EventId))
        {
            return true;
        }

        return (await HeldAsync([(pdu.RoomId, pdu.EventId)], withStateOnly: true, cancellationToken).ConfigureAwait(false)).Count == 1;
    }

    /// <summary>
    /// Which of the events the rooms hold (with <paramref name="withStateOnly"/>, not as outliers), asked per room
    /// without reading the events; an id held in another room does not count, as in room versions 1 and 2 the origin
    /// chooses ids.
    /// </summary>
    private async Task<HashSet<string>> HeldAsync(
        IEnumerable<(string RoomId, string EventId)> events, bool withStateOnly, CancellationToken cancellationToken)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var room in events.GroupBy(e => e.RoomId, e => e.EventId, StringComparer.Ordinal))
        {
            var known = await store.GetKnownEventsAsync(room.Key, [.. room.Distinct(StringComparer.Ordinal)], cancellationToken).ConfigureAwait(false);
            held.UnionWith(known.Values.Where(e => e.IsHeld && !(withStateOnly && e.IsOutlier)).Select(e => e.EventId));
        }

        return held;
    }

    /// <summary>Whether the cache knows the event as held with state (only trusted where ids are hashes of events,
    /// as where the origin chooses them another room's may be the same).</summary>
    private bool KnownSettled(RoomVersion version, string eventId) =>
        !version.UsesEventReferencePairs && cache.TryGetEvent(eventId, out _);

    /// <summary>The prev events of <paramref name="pdus"/> that are neither held with state nor among them.</summary>
    private async Task<IReadOnlyList<string>> MissingPrevEventsAsync(IEnumerable<Pdu> pdus, CancellationToken cancellationToken)
    {
        var events = pdus.ToArray();
        var among = events.Select(p => p.EventId).ToHashSet(StringComparer.Ordinal);
        var prevs = events
            .SelectMany(p => p.PrevEvents.Where(id => !among.Contains(id) && !KnownSettled(p.RoomVersion, id)).Select(id => (p.RoomId, EventId: id)))
            .Distinct()
            .ToArray();
        var withState = await HeldAsync(prevs, withStateOnly: true, cancellationToken).ConfigureAwait(false);
        return prevs.Select(p => p.EventId).Where(id => !withState.Contains(id)).Distinct(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The ids of those <paramref name="pdus"/> that have auth events neither held, nor among them, nor fetched.</summary>
    private async Task<IReadOnlyList<string>> WithUnknownAuthEventsAsync(
        IReadOnlyList<Pdu> pdus, IEnumerable<string> fetched, CancellationToken cancellationToken)
    {
        var known = pdus.Select(p => p.EventId).Concat(fetched).ToHashSet(StringComparer.Ordinal);
        var authEvents = pdus.SelectMany(p => p.AuthEvents.Where(id => !known.Contains(id)).Select(id => (p.RoomId, id))).ToArray();
        known.UnionWith(await HeldAsync(authEvents, withStateOnly: false, cancellationToken).ConfigureAwait(false));
        return pdus.Where(p => p.AuthEvents.Any(id => !known.Contains(id))).Select(p => p.EventId).ToArray();
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Event {EventId} in {RoomId}: {Disposition} {Reason}")]
    private static partial void LogOutcome(ILogger logger, string eventId, string roomId, PduDisposition disposition, string? reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Event {EventId}: its missing prev events {Missing} are backing off after failed pulls")]
    private static partial void LogBackingOff(ILogger logger, string eventId, IReadOnlyList<string> missing);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information,
        Message = "Event {EventId}: {Pulled} missing events from {Origin} did not reach what we hold; large-gap filler stored events: {Filled}")]
    private static partial void LogLargeGap(ILogger logger, string eventId, string origin, int pulled, bool filled);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Checking and storing events from {EventId} together failed; they go one at a time")]
    private static partial void LogRunFailed(ILogger logger, string eventId, Exception exception);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Fetching what {EventId} from {Origin} needs ran out of time")]
    private static partial void LogGapFillTimedOut(ILogger logger, string eventId, string origin);
}
