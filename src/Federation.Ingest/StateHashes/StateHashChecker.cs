using System.Globalization;
using Federation.Ingest.Diagnostics;
using Federation.Ingest.Queue;
using Federation.Resync.Core.StateHashes;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;

namespace Federation.Ingest.StateHashes;

/// <summary>
/// Compares the state digests a <c>/send</c>'s sender asserted for its PDUs (MSC4500) with our stored fingerprints.
/// A mismatch never changes what happens to the PDU: it is counted, logged, kept in the <see cref="StateHashRecord"/>,
/// answered to the sender when known before the answer, and a probe of the room is asked for when a prober is
/// registered.
/// Only stored fingerprints are read (one query per room), so the check stays cheap; what cannot be compared yet is
/// deferred to the queue, or skipped, never taken as a signal either way.
/// </summary>
public sealed partial class StateHashChecker(
    DagStore store,
    StateHashRecord record,
    IEnumerable<IDivergenceProbeRequests> probes,
    TimeProvider time,
    ILogger<StateHashChecker> logger)
{
    /// <summary>
    /// The checks that can be made before <c>/send</c> answers: events already held with state, and pending non-state
    /// events with a single prev held with state (their state before and after is that prev's state after; no
    /// resolution or auth decision is involved). The claims of other pending events are returned to go with them into
    /// the queue.
    /// </summary>
    /// <returns>The mismatches by event id, and the claims left for after processing.</returns>
    public async Task<(IReadOnlyDictionary<string, StateHashCheck> Mismatches, IReadOnlyDictionary<string, StateHashClaim> Deferred)> CheckAtSendAsync(
        string origin, IReadOnlyDictionary<string, StateHashClaim> claims, IReadOnlyList<StateHashSubject> subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        ArgumentNullException.ThrowIfNull(subjects);
        var found = new Dictionary<string, StateHashCheck>(StringComparer.Ordinal);
        var deferred = new Dictionary<string, StateHashClaim>(StringComparer.Ordinal);
        foreach (var room in subjects.Where(s => claims.ContainsKey(s.EventId)).GroupBy(s => s.RoomId, StringComparer.Ordinal))
        {
            var read = room.Select(StatePointOf).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            var ours = await store.GetStoredStateFingerprintsAsync(room.Key, read, cancellationToken).ConfigureAwait(false);
            foreach (var subject in room)
            {
                var claim = claims[subject.EventId];
                if (StatePointOf(subject) is not { } point || !ours.TryGetValue(point, out var fingerprints))
                {
                    deferred[subject.EventId] = claim;
                    continue;
                }

                var check = subject.Pending is null
                    ? new StateHashCheck(claim, fingerprints.Before, fingerprints.After)
                    : new StateHashCheck(claim, fingerprints.After, fingerprints.After);
                if (subject.Pending is not null && !check.Compared)
                {
                    // The prev's group predates stored fingerprints; processing the event computes it.
                    deferred[subject.EventId] = claim;
                    continue;
                }

                if (Record(origin, room.Key, subject.EventId, point, check, StateHashTiming.AtSend))
                {
                    found[subject.EventId] = check;
                }
            }
        }

        return (found, deferred);
    }

    /// <summary>Checks the claims that went into the queue with <paramref name="processed"/>, now that they have been
    /// processed (record, count and log only: the transaction was answered long ago).</summary>
    public async Task CheckProcessedAsync(string roomId, IEnumerable<QueuedPdu> processed, CancellationToken cancellationToken)
    {
        var claimed = processed.Where(q => q.Claim is not null).ToList();
        if (claimed.Count == 0)
        {
            return;
        }

        var ours = await store.GetStoredStateFingerprintsAsync(roomId, [.. claimed.Select(q => q.Event.EventId)], cancellationToken).ConfigureAwait(false);
        foreach (var queued in claimed)
        {
            var fingerprints = ours.GetValueOrDefault(queued.Event.EventId);
            Record(queued.Origin, roomId, queued.Event.EventId, queued.Event.EventId, new StateHashCheck(queued.Claim!, fingerprints?.Before, fingerprints?.After), StateHashTiming.AfterProcessing);
        }
    }

    /// <summary>The event whose stored state answers for the subject: itself when held, its single prev for a pending
    /// non-state event; null when its state is only known after processing.</summary>
    private static string? StatePointOf(StateHashSubject subject) => subject.Pending switch
    {
        null => subject.EventId,
        { IsState: false, PrevEvents.Count: 1 } pdu => pdu.PrevEvents[0],
        _ => null,
    };

    /// <summary>Counts, and for a mismatch records, logs and asks for a probe at <paramref name="statePoint"/>: the event
    /// we hold with state whose state was compared.</summary>
    /// <returns>True for a mismatch.</returns>
    private bool Record(string origin, string roomId, string eventId, string statePoint, StateHashCheck check, StateHashTiming timing)
    {
        IngestMetrics.RecordStateHashCheck(check, timing);
        if (check.Compared)
        {
            record.CountCompared();
        }

        if (!check.IsMismatch)
        {
            return false;
        }

        var mismatch = new StateHashMismatch(origin, roomId, eventId, check, timing, time.GetUtcNow());
        var details = string.Create(
            CultureInfo.InvariantCulture,
            $"{check.ToMismatchJson().ToJsonString()}; entries before/after: theirs {check.Claimed.CountBefore}/{check.Claimed.CountAfter}, ours {check.OurBefore?.Count}/{check.OurAfter?.Count}");
        if (record.AddMismatch(mismatch))
        {
            LogMismatch(logger, origin, eventId, roomId, details);
        }
        else
        {
            LogRepeatedMismatch(logger, origin, eventId, roomId, details);
        }

        foreach (var probe in probes)
        {
            probe.RequestProbe(roomId, statePoint);
        }

        return true;
    }

    [LoggerMessage(
        EventId = 1040,
        Level = LogLevel.Warning,
        Message = "{Origin}'s state around {EventId} in {RoomId} differs from ours (MSC4500 digests; the event is processed as usual): {Mismatch}")]
    private static partial void LogMismatch(ILogger logger, string origin, string eventId, string roomId, string mismatch);

    [LoggerMessage(EventId = 1041, Level = LogLevel.Debug, Message = "{Origin}'s state around {EventId} in {RoomId} differs from ours again: {Mismatch}")]
    private static partial void LogRepeatedMismatch(ILogger logger, string origin, string eventId, string roomId, string mismatch);
}
