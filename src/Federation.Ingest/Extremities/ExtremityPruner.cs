using Federation.Ingest.Diagnostics;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;

namespace Federation.Ingest.Extremities;

/// <summary>
/// Drops stale forward extremities the way Synapse does (<c>_prune_extremities</c>). A hole leaves the event before it
/// as an extremity nothing will ever descend from (the remote's history goes through events we never hold with
/// state); each one makes every later event pay the soft-fail check's resolution over all extremities. Once the
/// room's current state (the resolution over every extremity) is the state after some of them, the others are
/// dropped, all or none, when each of them is
/// <list type="bullet">
/// <item>not ours (our own events are what our users build on; we send no dummy events),</item>
/// <item>not among the events just persisted, and</item>
/// <item>more than <see cref="SameServerDepth"/> behind the newest persisted event when one of those was sent from its
/// server, or older than <see cref="OldAge"/> and more than <see cref="OldDepth"/> behind.</item>
/// </list>
/// All or none, so the current state is unchanged: the extremities kept all have the resolved state. Only removes:
/// rejected, soft-failed, outlier and backfilled events never become extremities here.
/// </summary>
public sealed partial class ExtremityPruner(
    DagStore store, StateCalculator state, ServerIdentity identity, TimeProvider time, ILogger<ExtremityPruner> logger)
{
    /// <summary>Depth an extremity must be behind the newest event from its own server (Synapse: 20).</summary>
    public const int SameServerDepth = 20;

    /// <summary>Depth an old extremity must be behind the newest event (Synapse: 100).</summary>
    public const int OldDepth = 100;

    /// <summary>Age past which an extremity counts as old (Synapse: one day).</summary>
    public static readonly TimeSpan OldAge = TimeSpan.FromDays(1);

    /// <summary>
    /// Looks at the room's extremities after <paramref name="persisted"/> were stored, when their state may differ
    /// from the extremities' (the caller tells: a state event, or an event placed across a hole).
    /// </summary>
    /// <returns>The extremities dropped (none when nothing could be).</returns>
    public async Task<IReadOnlyList<string>> PruneAsync(
        string roomId, RoomVersion version, IReadOnlyList<Pdu> persisted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(persisted);
        if (persisted.Count == 0)
        {
            return [];
        }

        var extremities = await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (extremities.Count < 2)
        {
            return [];
        }

        var states = new List<RoomState>(extremities.Count);
        foreach (var extremity in extremities)
        {
            if (await state.StateAfterAsync(roomId, extremity, cancellationToken).ConfigureAwait(false) is not { } after)
            {
                return [];
            }

            states.Add(after);
        }

        var current = await state.ResolveAsync(version, states, pending: null, cancellationToken).ConfigureAwait(false);
        var drop = extremities.Where((_, i) => !states[i].SameEntriesAs(current)).ToArray();
        if (drop.Length == 0 || drop.Length == extremities.Count || !await AllDroppableAsync(roomId, drop, persisted, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        if (!await store.PruneForwardExtremitiesAsync(roomId, extremities, drop, cancellationToken).ConfigureAwait(false))
        {
            return [];
        }

        LogPruned(logger, roomId, drop.Length, extremities.Count - drop.Length);
        IngestMetrics.RecordExtremitiesPruned(drop.Length);
        return drop;
    }

    private async Task<bool> AllDroppableAsync(string roomId, string[] drop, IReadOnlyList<Pdu> persisted, CancellationToken cancellationToken)
    {
        if (persisted.Any(p => drop.Contains(p.EventId, StringComparer.Ordinal)))
        {
            return false;
        }

        var newestDepth = persisted.Max(p => p.Depth);
        var newServers = persisted.Select(p => MatrixIds.ServerNameOf(p.Sender)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var oldBefore = time.GetUtcNow() - OldAge;
        var events = await store.GetEventsAsync(roomId, drop, cancellationToken).ConfigureAwait(false);
        return events.Count == drop.Length && events.All(e =>
        {
            var server = MatrixIds.ServerNameOf(e.Pdu.Sender);
            return server != identity.ServerName
                && ((DateTimeOffset.FromUnixTimeMilliseconds(e.Pdu.OriginServerTs) < oldBefore && e.Pdu.Depth < newestDepth - OldDepth)
                    || (server is not null && newServers.Contains(server) && e.Pdu.Depth < newestDepth - SameServerDepth));
        });
    }

    [LoggerMessage(EventId = 1030, Level = LogLevel.Information, Message = "Pruned {Dropped} stale forward extremities of {RoomId}; {Kept} kept")]
    private static partial void LogPruned(ILogger logger, string roomId, int dropped, int kept);
}
