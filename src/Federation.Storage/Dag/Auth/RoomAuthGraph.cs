using Npgsql;

namespace Federation.Storage.Dag.Auth;

/// <summary>
/// One room's auth DAG as an integer adjacency (event nid → auth event nids) in memory, so auth chains are walked
/// without recursive SQL. It is brought up to date before each use with the events persisted since the last refresh:
/// stream orderings of one room are allocated under the room's write lock, so "greater than the highest seen" finds
/// exactly the rows committed since, whichever process wrote them.
/// </summary>
internal sealed class RoomAuthGraph(long roomNid)
{
    private const string RefreshSql =
        """
        SELECT e.event_nid, e.stream_ordering, i.event_id,
               coalesce((SELECT array_agg(a.auth_event_nid) FROM event_auth_edges a WHERE a.event_nid = e.event_nid), '{}')
        FROM events e JOIN event_ids i USING (event_nid)
        WHERE e.room_nid = $1 AND e.stream_ordering > $2
        """;

    private readonly Lock gate = new();
    private readonly Dictionary<long, long[]> authEvents = [];
    private readonly Dictionary<long, string> eventIds = [];
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

        var rows = new List<(long Nid, long Stream, string Id, long[] Auth)>();
        await using (var command = Sql.Command(connection, RefreshSql, roomNid, from))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetFieldValue<long[]>(3)));
            }
        }

        lock (gate)
        {
            foreach (var (nid, stream, id, auth) in rows)
            {
                authEvents[nid] = auth;
                eventIds[nid] = id;
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
