using Npgsql;

namespace Federation.Storage.Dag.Auth;

/// <summary>
/// One room's auth DAG as an integer adjacency in memory (event nid → auth event nids, and the reverse), with each
/// event's id and state slot, so auth chains and auth chain differences are computed without recursive SQL. It is
/// brought up to date before each use with the events persisted since the last refresh: stream orderings of one room
/// are allocated under the room's write lock, so "greater than the highest seen" finds exactly the rows committed
/// since, whichever process wrote them. The edges it reads are written in the same transaction as their events.
/// </summary>
internal sealed class RoomAuthGraph(long roomNid)
{
    private const string RefreshSql =
        """
        SELECT e.event_nid, e.stream_ordering, i.event_id, coalesce(e.slot_nid, 0), e.auth_event_nids
        FROM events e JOIN event_ids i USING (event_nid)
        WHERE e.room_nid = $1 AND e.stream_ordering > $2
        """;

    private readonly Lock gate = new();
    private readonly Dictionary<long, long[]> authEvents = [];
    private readonly Dictionary<long, List<long>> children = [];
    private readonly Dictionary<long, string> eventIds = [];
    private readonly Dictionary<string, long> nids = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long> slots = [];
    private long watermark;

    /// <summary>Number of events in the graph (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return authEvents.Count;
            }
        }
    }

    /// <summary>Loads the events committed since the last refresh.</summary>
    public async Task RefreshAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        long from;
        lock (gate)
        {
            from = watermark;
        }

        var rows = new List<(long Nid, long Stream, string Id, long Slot, long[] Auth)>();
        await using (var command = Sql.Command(connection, RefreshSql, roomNid, from))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3), reader.GetFieldValue<long[]>(4)));
            }
        }

        lock (gate)
        {
            foreach (var (nid, stream, id, slot, auth) in rows)
            {
                // An outlier persisted again as a timeline event comes back with a new stream ordering: same edges.
                if (authEvents.TryAdd(nid, auth))
                {
                    foreach (var parent in auth)
                    {
                        if (!children.TryGetValue(parent, out var list))
                        {
                            children[parent] = list = [];
                        }

                        list.Add(nid);
                    }
                }

                eventIds[nid] = id;
                nids[id] = nid;
                if (slot != 0)
                {
                    slots[nid] = slot;
                }

                watermark = Math.Max(watermark, stream);
            }
        }
    }

    /// <summary>Ids of every held event reachable from <paramref name="start"/> through auth_events, with the start events
    /// themselves only when <paramref name="includeGiven"/>.</summary>
    public List<string> AuthChain(IEnumerable<long> start, bool includeGiven)
    {
        lock (gate)
        {
            var seen = new HashSet<long>();
            var pending = new Stack<long>();
            var result = new List<string>();
            foreach (var nid in start)
            {
                if (includeGiven && seen.Add(nid) && eventIds.TryGetValue(nid, out var id))
                {
                    result.Add(id);
                }

                PushAuthEvents(nid, pending);
            }

            while (pending.TryPop(out var nid))
            {
                if (!seen.Add(nid) || !eventIds.TryGetValue(nid, out var id))
                {
                    continue;
                }

                result.Add(id);
                PushAuthEvents(nid, pending);
            }

            return result;
        }
    }

    /// <summary>Runs <paramref name="work"/> with the graph held still (no refresh applies meanwhile).</summary>
    public T Read<T>(Func<RoomAuthGraph, T> work)
    {
        lock (gate)
        {
            return work(this);
        }
    }

    // The members below are only called from Read.

    /// <summary>Whether the event is held (any status, outliers included).</summary>
    internal bool IsHeld(long nid) => authEvents.ContainsKey(nid);

    internal long[] AuthEventsOf(long nid) => authEvents.TryGetValue(nid, out var auth) ? auth : [];

    internal IReadOnlyList<long> ChildrenOf(long nid) => children.TryGetValue(nid, out var list) ? list : [];

    /// <summary>The state slot of a state event, else 0.</summary>
    internal long SlotOf(long nid) => slots.GetValueOrDefault(nid);

    internal string EventIdOf(long nid) => eventIds[nid];

    internal bool TryGetNid(string eventId, out long nid) => nids.TryGetValue(eventId, out nid);

    private void PushAuthEvents(long nid, Stack<long> pending)
    {
        if (authEvents.TryGetValue(nid, out var auth))
        {
            foreach (var authNid in auth)
            {
                pending.Push(authNid);
            }
        }
    }
}
