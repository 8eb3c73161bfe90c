using Federation.Ingest.Checks;
using Federation.Ingest.Diagnostics;
using Federation.Ingest.Extremities;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;

namespace Federation.Ingest.Batching;

/// <summary>
/// Processes a run of queued events of one room that need nothing remote — every prev event accepted and held with
/// state (or earlier in the run), every auth event held, the event itself unknown to the store — with the same checks
/// as <see cref="PduIngestor"/> (own auth events, state before, current state), in memory against the run's earlier
/// decisions, and persists the run in one write. The forward extremities are followed in memory by the store's rule,
/// which for such a run (new events, accepted prevs) is: an accepted event replaces its prevs. A run ends after an
/// event that is not accepted, and before any event the one-at-a-time path must handle; it is dropped unpersisted
/// (and the queue's events go one at a time) when someone else wrote to the room meanwhile or one of its events is
/// known to the room after all: the write itself checks, under the room's lock, that the extremities are still those
/// the run started from and that its events are new. It also ends after an
/// accepted state event while the room has several extremities, so that stale ones are pruned
/// (<see cref="ExtremityPruner"/>) before the next run pays the soft-fail check against them. The events pulled to fill
/// a gap go through the same runs (<see cref="ProcessPulledRunAsync"/>), without that ending and pruning, as their
/// one-at-a-time path prunes only once all are stored.
/// </summary>
public sealed partial class QueueRunIngestor(
    DagStore store, StateCalculator state, SettledEventCache cache, ExtremityPruner pruner, ILogger<QueueRunIngestor> logger)
{
    /// <returns>How many events from <paramref name="start"/> on were decided and persisted (and removed from the queue,
    /// in the same transaction); 0 when the event at <paramref name="start"/> must go through
    /// <see cref="PduIngestor.ProcessAdmittedAsync"/>.</returns>
    public async Task<int> ProcessRunAsync(IReadOnlyList<QueuedPdu> queue, int start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var queued = queue.Skip(start).ToList();
        return (await RunAsync([.. queued.Select(q => q.Event)], [.. queued.Select(q => q.Id)], cancellationToken).ConfigureAwait(false)).Count;
    }

    /// <summary>
    /// The same for events pulled to fill a gap (the pushed event that closes it may follow them), which the
    /// one-at-a-time path checks and persists in order under the room's lock and prunes after only once all are stored:
    /// so the run neither ends at state events nor prunes.
    /// </summary>
    /// <returns>The events from <paramref name="start"/> on that were decided and persisted, in order, with what became
    /// of each; empty when the event at <paramref name="start"/> must take the one-at-a-time path.</returns>
    public Task<IReadOnlyList<(Pdu Pdu, PduOutcome Outcome)>> ProcessPulledRunAsync(
        IReadOnlyList<VerifiedEvent> events, int start, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        return RunAsync([.. events.Skip(start)], queueIds: null, cancellationToken);
    }

    // Queued events (with their queue row ids, removed in the run's write) end at state events and prune; pulled ones
    // do neither.
    private async Task<IReadOnlyList<(Pdu Pdu, PduOutcome Outcome)>> RunAsync(
        List<VerifiedEvent> events, long[]? queueIds, CancellationToken cancellationToken)
    {
        var pruneAfterStateEvents = queueIds is not null;
        var first = events[0].Pdu;
        if (first.RoomVersion.StateResolution == StateResolutionAlgorithm.V1 || first.RoomVersion.UsesEventReferencePairs)
        {
            // The soft-fail check resolves the extremities' states in the store's order; only v2 and later are order-free.
            // Ids chosen by the origin (v1, v2) may repeat another room's, which only the one-at-a-time path looks for.
            return [];
        }

        var roomId = first.RoomId;
        var candidates = events.TakeWhile(e => e.Pdu.RoomId == roomId).ToList();

        // Auth events only need to be held: those the cache holds with state are not asked about. Prev events must be
        // accepted, which the cache does not tell apart from soft-failed (the store answers those it has settled from
        // memory). The events themselves must be new to the room: the write checks that, under the room's lock, and
        // writes nothing otherwise.
        var candidateIds = candidates.Select(e => e.EventId).ToHashSet(StringComparer.Ordinal);
        var ids = candidates
            .SelectMany(e => e.Pdu.AuthEvents.Append(ImpliedCreateId(e.Pdu)).OfType<string>().Where(id => !cache.TryGetEvent(id, out _))
                .Concat(e.Pdu.PrevEvents))
            .Where(id => !candidateIds.Contains(id))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var known = await store.GetKnownEventsAsync(roomId, ids, cancellationToken).ConfigureAwait(false);
        var extremitiesAtStart = await store.GetForwardExtremitiesForWriteAsync(roomId, cancellationToken).ConfigureAwait(false);
        var run = new RunState(extremitiesAtStart);
        var source = new BatchEventSource(store, cache, run.Pending);
        var auth = new AuthChecks(source);
        foreach (var candidate in candidates)
        {
            if (!IsSimple(candidate.Pdu, known, run.Pending, cache)
                || await DecideAsync(candidate, run, auth, source, cancellationToken).ConfigureAwait(false) is not { } decided)
            {
                break;
            }

            run.Add(decided.Entry, decided.Outcome, decided.StateAfter);
            if (!decided.Outcome.IsAccepted || (pruneAfterStateEvents && candidate.Pdu.StateKey is not null && run.Extremities.Count > 1))
            {
                break;
            }
        }

        if (run.Decided.Count == 0
            || await store.PersistEventsIfExtremitiesAsync(
                [.. run.Decided.Select(d => d.Entry)],
                extremitiesAtStart,
                queueIds is null ? null : RoomLease.RemoveCommands(queueIds[..run.Decided.Count]),
                cancellationToken).ConfigureAwait(false) is null)
        {
            return [];
        }
        foreach (var (entry, outcome, stateAfter) in run.Decided)
        {
            cache.AddEvent(entry.Pdu.EventId, new(entry.Pdu, entry.Status == EventStatus.Rejected));
            cache.AddStateAfter(roomId, entry.Pdu.EventId, stateAfter);
            LogOutcome(logger, entry.Pdu.EventId, roomId, outcome.Disposition, outcome.Reason);
            IngestMetrics.RecordPdu(outcome.Disposition);
        }

        var accepted = run.Decided.Where(d => d.Outcome.IsAccepted).Select(d => d.Entry.Pdu).ToList();
        if (pruneAfterStateEvents && run.Extremities.Count > 1 && accepted.Exists(p => p.StateKey is not null))
        {
            await pruner.PruneAsync(roomId, first.RoomVersion, accepted, cancellationToken).ConfigureAwait(false);
        }

        return [.. run.Decided.Select(d => (d.Entry.Pdu, d.Outcome))];
    }

    /// <summary>Checks 4–6 as <see cref="PduIngestor"/> runs them; null when the event needs the one-at-a-time path after all.</summary>
    private async Task<(EventToPersist Entry, PduOutcome Outcome, RoomState StateAfter)?> DecideAsync(
        VerifiedEvent verified, RunState run, AuthChecks auth, BatchEventSource source, CancellationToken cancellationToken)
    {
        var pdu = verified.Pdu;
        var (missingAuth, own) = await auth.AgainstOwnAuthEventsAsync(pdu, cancellationToken).ConfigureAwait(false);
        var prevs = pdu.PrevEvents.Distinct(StringComparer.Ordinal).ToArray();
        var prevStates = new List<RoomState>(prevs.Length);
        foreach (var prev in prevs)
        {
            if (await StateAfterAsync(pdu.RoomId, prev, run, cancellationToken).ConfigureAwait(false) is not { } after)
            {
                return null;
            }

            prevStates.Add(after);
        }

        if (missingAuth.Count > 0)
        {
            return null;
        }

        var stateBefore = await state.ResolveWithAsync(pdu.RoomVersion, prevStates, source, cancellationToken).ConfigureAwait(false);
        var outcome = own.IsAccepted ? await auth.AgainstStateAsync(pdu, stateBefore, cancellationToken).ConfigureAwait(false) : own;
        if (outcome.IsAccepted && !run.Extremities.ToHashSet(StringComparer.Ordinal).SetEquals(pdu.PrevEvents))
        {
            var states = new List<RoomState> { stateBefore };
            foreach (var extremity in run.Extremities)
            {
                if (await StateAfterAsync(pdu.RoomId, extremity, run, cancellationToken).ConfigureAwait(false) is { } after)
                {
                    states.Add(after);
                }
            }

            var current = await state.ResolveWithAsync(pdu.RoomVersion, states, source, cancellationToken).ConfigureAwait(false);
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
        var entry = new EventToPersist(pdu)
        {
            Status = status,
            RejectionReason = outcome.Disposition == PduDisposition.Rejected ? outcome.Reason : null,
            RedactedJson = verified.Redacted,
            StateBefore = prevs.Length == 1 ? StateBefore.SameAsAfter(prevs[0]) : StateBefore.Full(stateBefore.Entries),
        };
        return (entry, outcome, stateBefore.After(pdu, status));
    }

    private async Task<RoomState?> StateAfterAsync(string roomId, string eventId, RunState run, CancellationToken cancellationToken) =>
        run.StatesAfter.TryGetValue(eventId, out var decided) ? decided : await state.StateAfterAsync(roomId, eventId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Whether nothing remote, and nothing the batch cannot follow in memory, is needed: the event is not in the run
    /// already (the write finds one the store knows), its prevs are accepted with state (held, or decided earlier in
    /// the run, which then only holds accepted events), and its auth events are held (by the store or the cache) or
    /// decided.
    /// </summary>
    private static bool IsSimple(Pdu pdu, IReadOnlyDictionary<string, KnownEvent> known, Dictionary<string, Pdu> pending, SettledEventCache cache)
    {
        if (pdu.PrevEvents.Count == 0 || pending.ContainsKey(pdu.EventId))
        {
            return false;
        }

        foreach (var prev in pdu.PrevEvents)
        {
            if (!pending.ContainsKey(prev)
                && !(known.TryGetValue(prev, out var held) && held.IsHeld && !held.IsOutlier && held.Status == EventStatus.Accepted))
            {
                return false;
            }
        }

        return pdu.AuthEvents.Append(ImpliedCreateId(pdu)).OfType<string>()
            .All(id => pending.ContainsKey(id) || (known.TryGetValue(id, out var held) ? held.IsHeld : cache.TryGetEvent(id, out _)));
    }

    private static string? ImpliedCreateId(Pdu pdu) => pdu.RoomVersion.RoomIdIsCreateEventHash ? "$" + pdu.RoomId[1..] : null;

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Event {EventId} in {RoomId}: {Disposition} {Reason}")]
    private static partial void LogOutcome(ILogger logger, string eventId, string roomId, PduDisposition disposition, string? reason);

    /// <summary>What the run has decided so far, and the room as it will be once that is persisted.</summary>
    private sealed class RunState(IReadOnlyList<string> extremities)
    {
        public Dictionary<string, Pdu> Pending { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, RoomState> StatesAfter { get; } = new(StringComparer.Ordinal);

        public List<(EventToPersist Entry, PduOutcome Outcome, RoomState StateAfter)> Decided { get; } = [];

        public List<string> Extremities { get; } = [.. extremities];

        public void Add(EventToPersist entry, PduOutcome outcome, RoomState stateAfter)
        {
            var pdu = entry.Pdu;
            Decided.Add((entry, outcome, stateAfter));
            Pending[pdu.EventId] = pdu;
            StatesAfter[pdu.EventId] = stateAfter;
            if (outcome.IsAccepted)
            {
                Extremities.RemoveAll(pdu.PrevEvents.Contains);
                Extremities.Insert(0, pdu.EventId);
            }
        }
    }
}
