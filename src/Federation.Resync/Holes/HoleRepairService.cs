using Federation.Ingest;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Holes;
using Federation.Resync.Core.Reconciliation;
using Federation.Resync.Rooms;
using Federation.Storage.Dag;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Holes;

/// <summary>
/// Fills holes — events our held events reference that we do not hold — by asking one server at a time with
/// <c>/backfill</c>: where the event came from first, then the others in <see cref="HoleRepairPeers"/>' order. What
/// comes back is ingested as pulled events (oldest first); a server that does not supply the hole is recorded with a
/// deterministic back-off (<see cref="HoleBackoff"/>), and the next attempt goes to the next server. A hole unfilled
/// after <see cref="HoleRepairOptions.GiveUpAfter"/>, or after the store's attempt limit, is marked lost.
/// </summary>
/// <remarks>One pass works through the due holes one after another, and each attempt first claims its hole in the store
/// (<see cref="HoleRepairOptions.ClaimLease"/>), so no hole has two requests in flight, even with several processes on
/// one database. The store and
/// what uses it are resolved at each pass: the service is created before the database is started.</remarks>
public sealed partial class HoleRepairService(
    IServiceProvider services,
    ServerIdentity identity,
    IOptions<HoleRepairOptions> options,
    TimeProvider time,
    ILogger<HoleRepairService> logger) : PeriodicPassService
{
    private string _lastRoomId = "";

    /// <summary>One pass: up to <see cref="HoleRepairOptions.HolesPerCycle"/> due holes, each room's oldest first; the
    /// rooms are taken by id starting after the last room the previous pass reached, so no room starves the others.</summary>
    /// <returns>What came of each hole worked on.</returns>
    public async Task<IReadOnlyList<HoleRepairAttempt>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var store = services.GetRequiredService<DagStore>();
        var rooms = (await store.GetRoomsAsync(cancellationToken).ConfigureAwait(false)).OrderBy(r => r.RoomId, StringComparer.Ordinal).ToList();
        var start = rooms.Count(r => string.CompareOrdinal(r.RoomId, _lastRoomId) <= 0);
        var attempts = new List<HoleRepairAttempt>();
        var budget = options.Value.HolesPerCycle;
        foreach (var room in rooms.Skip(start).Concat(rooms.Take(start)))
        {
            if (budget == 0)
            {
                break;
            }

            _lastRoomId = room.RoomId;
            var holes = await store.GetHolesAsync(room.RoomId, dueOnly: true, cancellationToken).ConfigureAwait(false);
            if (holes.Count == 0 || !RoomVersion.TryGet(room.RoomVersion, out var version))
            {
                continue;
            }

            var residents = await services.GetRequiredService<JoinedMembers>()
                .OtherServersAsync(room.RoomId, version, identity.ServerName, cancellationToken).ConfigureAwait(false);
            foreach (var due in holes.TakeWhile(_ => budget > 0))
            {
                var claimUntil = time.GetUtcNow() + options.Value.ClaimLease;
                if (await store.ClaimHoleAsync(room.RoomId, due.EventId, claimUntil, cancellationToken).ConfigureAwait(false) is not { } hole)
                {
                    continue; // Another process sharing the database is working on it, or it was filled meanwhile.
                }

                var attempt = await RepairAsync(store, room.RoomId, version, hole, residents, cancellationToken).ConfigureAwait(false);
                HoleRepairMetrics.Record(attempt.Outcome);
                attempts.Add(attempt);

                // A hole with nobody to ask costs nothing; it is given up at its deadline.
                budget -= attempt.Outcome == HoleRepairOutcome.NoCandidate ? 0 : 1;
            }
        }

        return attempts;
    }

    protected override TimeProvider Time => time;

    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override bool Enabled => options.Value.Enabled;

    protected override Task PassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogPassFailed(logger, exception);

    private async Task<HoleRepairAttempt> RepairAsync(
        DagStore store, string roomId, RoomVersion version, MissingEvent hole, IReadOnlySet<string> residents, CancellationToken cancellationToken)
    {
        if (await PlaceHeldCopyAsync(store, roomId, hole.EventId, cancellationToken).ConfigureAwait(false))
        {
            return new HoleRepairAttempt(roomId, hole.EventId, null, HoleRepairOutcome.Filled);
        }

        var now = time.GetUtcNow();
        if (now - hole.DiscoveredAt >= options.Value.GiveUpAfter)
        {
            await store.GiveUpHoleAsync(roomId, hole.EventId, $"not found within {options.Value.GiveUpAfter}", cancellationToken).ConfigureAwait(false);
            LogLost(logger, hole.EventId, roomId, hole.Attempts);
            return new HoleRepairAttempt(roomId, hole.EventId, null, HoleRepairOutcome.Lost);
        }

        var candidates = await CandidatesAsync(store, roomId, version, hole.EventId, residents, cancellationToken).ConfigureAwait(false);
        if (HoleRepairPeers.Next(candidates, hole.AskedServers, hole.Attempts) is not { } server)
        {
            return new HoleRepairAttempt(roomId, hole.EventId, null, HoleRepairOutcome.NoCandidate);
        }

        var error = await FetchAsync(store, server, roomId, version, hole.EventId, cancellationToken).ConfigureAwait(false);
        if (error is null)
        {
            return new HoleRepairAttempt(roomId, hole.EventId, server, HoleRepairOutcome.Filled);
        }

        var backoff = HoleBackoff.Delay(
            identity.ServerName, hole.EventId, hole.Attempts + 1, options.Value.MinimumBackoff, options.Value.MaximumBackoff);
        var recorded = await store.RecordHoleFetchFailureAsync(roomId, hole.EventId, server, error, now + backoff, cancellationToken)
            .ConfigureAwait(false);
        if (recorded?.GivenUpAt is not null)
        {
            HoleRepairMetrics.Record(HoleRepairOutcome.Failed);
            LogLost(logger, hole.EventId, roomId, recorded.Attempts);
            return new HoleRepairAttempt(roomId, hole.EventId, server, HoleRepairOutcome.Lost);
        }

        return new HoleRepairAttempt(roomId, hole.EventId, server, HoleRepairOutcome.Failed);
    }

    /// <summary>
    /// Places a hole we hold as an outlier whose prev events are all held with state (always so for the create event,
    /// which no server sends us again once the room is held) from our own copy, as a pulled event: its state follows
    /// from its prevs, so nobody needs asking. False when that does not apply or it was not stored.
    /// </summary>
    private async Task<bool> PlaceHeldCopyAsync(DagStore store, string roomId, string eventId, CancellationToken cancellationToken)
    {
        if ((await store.GetEventsAsync(roomId, [eventId], cancellationToken).ConfigureAwait(false)) is not [{ IsOutlier: true, RedactedJson: null } held])
        {
            return false;
        }

        var prevs = held.Pdu.PrevEvents.Distinct(StringComparer.Ordinal).ToArray();
        var prevsWithState = (await store.GetEventsAsync(roomId, prevs, cancellationToken).ConfigureAwait(false)).Count(e => !e.IsOutlier);
        if (prevsWithState < prevs.Length)
        {
            return false;
        }

        var origin = MatrixIds.ServerNameOf(held.Pdu.Sender) ?? identity.ServerName;
        var outcomes = await services.GetRequiredService<PduIngestor>()
            .ProcessPulledAsync(origin, [new VerifiedEvent(held.Pdu, null)], cancellationToken).ConfigureAwait(false);
        return outcomes is [{ Outcome.Disposition: not PduDisposition.Dropped }];
    }

    /// <summary>Asks <paramref name="server"/> for the hole and what precedes it and ingests the answer; null when the
    /// hole is now held, else why not.</summary>
    private async Task<string?> FetchAsync(
        DagStore store, string server, string roomId, RoomVersion version, string eventId, CancellationToken cancellationToken)
    {
        var answer = await services.GetRequiredService<RemoteRoomReader>()
            .GetBackfillAsync(server, roomId, version, [eventId], options.Value.BackfillLimit, cancellationToken).ConfigureAwait(false);
        if (!answer.Any(e => string.Equals(e.EventId, eventId, StringComparison.Ordinal)))
        {
            return answer.Count == 0 ? "no events in the /backfill answer" : "the event was not in the /backfill answer";
        }

        var ordered = TopologicalOrder.Sort(answer, e => e.Pdu);
        var outcomes = await services.GetRequiredService<PduIngestor>().ProcessPulledAsync(server, ordered, cancellationToken).ConfigureAwait(false);
        if ((await store.GetEventsAsync(roomId, [eventId], cancellationToken).ConfigureAwait(false)).Any(e => !e.IsOutlier))
        {
            return null;
        }

        var outcome = outcomes.FirstOrDefault(o => string.Equals(o.EventId, eventId, StringComparison.Ordinal)).Outcome;
        return "not stored: " + (outcome?.Reason ?? "no outcome");
    }

    private async Task<IReadOnlyList<string>> CandidatesAsync(
        DagStore store, string roomId, RoomVersion version, string eventId, IReadOnlySet<string> residents, CancellationToken cancellationToken)
    {
        var referrers = await store.GetHoleReferrersAsync(roomId, eventId, cancellationToken).ConfigureAwait(false);
        var byId = (await store.GetEventsAsync(roomId, referrers, cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var senderServers = referrers
            .Select(id => byId.TryGetValue(id, out var child) ? MatrixIds.ServerNameOf(child.Pdu.Sender) : null)
            .OfType<string>();
        var eventIdServer = version.UsesEventReferencePairs ? MatrixIds.ServerNameOf(eventId) : null;
        return HoleRepairPeers.Order(eventId, eventIdServer, senderServers, residents, identity.ServerName);
    }

    /// <summary>The servers with a joined user in the room's current state.</summary>
    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "A hole repair pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Missing event {EventId} of {RoomId} is lost after {Attempts} failed attempts")]
    private static partial void LogLost(ILogger logger, string eventId, string roomId, int attempts);
}
