using Federation.Ingest.Checks;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.StateResolution.Events;
using Federation.Storage.Dag;

namespace Federation.Ingest.Outliers;

/// <summary>
/// Stores events fetched for an auth chain or a state snapshot as outliers. Each is checked against its own auth events
/// only, in auth order, and stored rejected when they refuse it; one whose auth events are nowhere to be found is
/// dropped, and with it every event that depends on it, so that a corrupted chain cannot smuggle events in.
/// </summary>
public sealed class OutlierPersister(DagStore store)
{
    private const int BatchSize = 1000;

    /// <returns>How many events were stored.</returns>
    public async Task<int> PersistAsync(IReadOnlyCollection<VerifiedEvent> fetched, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fetched);
        var candidates = fetched.DistinctBy(e => e.EventId, StringComparer.Ordinal).ToDictionary(e => e.EventId, StringComparer.Ordinal);
        if (candidates.Count == 0)
        {
            return 0;
        }

        // One read of the store for everything held that the candidates are or refer to; the checks then run in memory.
        var referenced = candidates.Values
            .SelectMany(e => e.Pdu.AuthEvents.Append(ImpliedCreateId(e.Pdu)).OfType<string>())
            .Concat(candidates.Keys)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var known = new InMemoryEventSource();
        foreach (var held in await store.GetEventsAsync(referenced, cancellationToken).ConfigureAwait(false))
        {
            known.Add(held.Pdu, held.Status == EventStatus.Rejected);
            candidates.Remove(held.EventId);
        }

        var checks = new AuthChecks(known);
        var decided = new List<EventToPersist>();
        foreach (var candidate in InAuthOrder(candidates))
        {
            var (missing, outcome) = await checks.AgainstOwnAuthEventsAsync(candidate.Pdu, cancellationToken).ConfigureAwait(false);
            if (missing.Count > 0)
            {
                continue;
            }

            known.Add(candidate.Pdu, !outcome.IsAccepted);
            decided.Add(new EventToPersist(candidate.Pdu)
            {
                IsOutlier = true,
                Status = outcome.IsAccepted ? EventStatus.Accepted : EventStatus.Rejected,
                RejectionReason = outcome.IsAccepted ? null : outcome.Reason,
                RedactedJson = candidate.Redacted,
            });
        }

        foreach (var batch in decided.Chunk(BatchSize))
        {
            await store.PersistEventsAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        return decided.Count;
    }

    /// <summary>
    /// The candidates ordered so that each comes after those of its auth events that are candidates too (Kahn's
    /// algorithm). Events on an auth cycle never become ready and are left out.
    /// </summary>
    private static List<VerifiedEvent> InAuthOrder(Dictionary<string, VerifiedEvent> candidates)
    {
        var waitingOn = new Dictionary<string, int>(StringComparer.Ordinal);
        var dependants = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (id, candidate) in candidates)
        {
            var inSet = candidate.Pdu.AuthEvents.Distinct(StringComparer.Ordinal).Where(candidates.ContainsKey).ToArray();
            waitingOn[id] = inSet.Length;
            foreach (var auth in inSet)
            {
                (dependants.TryGetValue(auth, out var list) ? list : dependants[auth] = []).Add(id);
            }
        }

        var ready = new Queue<string>(waitingOn.Where(w => w.Value == 0).Select(w => w.Key).Order(StringComparer.Ordinal));
        var ordered = new List<VerifiedEvent>(candidates.Count);
        while (ready.TryDequeue(out var id))
        {
            ordered.Add(candidates[id]);
            foreach (var dependant in dependants.GetValueOrDefault(id) ?? [])
            {
                if (--waitingOn[dependant] == 0)
                {
                    ready.Enqueue(dependant);
                }
            }
        }

        return ordered;
    }

    private static string? ImpliedCreateId(Pdu pdu) => pdu.RoomVersion.RoomIdIsCreateEventHash ? "$" + pdu.RoomId[1..] : null;
}
