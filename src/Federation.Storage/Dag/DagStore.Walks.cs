using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    /// <summary>Largest number of events <see cref="GetMissingEventsAsync"/> returns (Synapse caps the request at 20).</summary>
    public const int MaxMissingEventsLimit = 20;

    /// <summary>Largest number of events <see cref="GetBackfillAsync"/> returns (Synapse caps the request at 100).</summary>
    public const int MaxBackfillLimit = 100;

    // Breadth-first over prev edges, one round per recursion step, all in one statement: the working row holds the
    // current front and every nid seen so far, so each event is visited once. Only held, non-outlier events of the room
    // are entered. $1 room, $2 seeds, $3 ids never to enter or return, $4 stop once this many are found, $5 most rounds.
    //
    // The statements are prepared (planning cost more than running them), so their plans are generic ones, kept for a
    // connection's life and possibly made while the tables were small. Every table is therefore reached by per-row
    // probes from the walked ids: subqueries with LIMIT 1 (or OFFSET 0 for the prev edges of a set of nids) are never
    // pulled up into joins, so no plan hashes a whole table per call (see docs/storage.md, "Walks").
    private const string HeldPrevEvent =
        """
        CROSS JOIN LATERAL (
            SELECT 1 FROM events e WHERE e.event_nid = p.prev_event_nid AND e.room_nid = $1 AND NOT e.outlier LIMIT 1
        ) held
        """;

    private const string WalkCte =
        $$"""
        WITH RECURSIVE
        seeds AS (
            SELECT x.event_nid
            FROM unnest($2::text[]) AS s(event_id)
            CROSS JOIN LATERAL (SELECT i.event_nid FROM event_ids i WHERE i.event_id = s.event_id AND i.room_nid = $1 LIMIT 1) x
            CROSS JOIN LATERAL (SELECT 1 FROM events e WHERE e.event_nid = x.event_nid LIMIT 1) held
        ),
        stops AS (
            SELECT x.event_nid
            FROM unnest($3::text[]) AS s(event_id)
            CROSS JOIN LATERAL (SELECT i.event_nid FROM event_ids i WHERE i.event_id = s.event_id AND i.room_nid = $1 LIMIT 1) x
        ),
        walk(front, seen, found, round) AS (
            SELECT ARRAY(SELECT event_nid FROM seeds EXCEPT SELECT event_nid FROM stops),
                   ARRAY(SELECT event_nid FROM seeds UNION SELECT event_nid FROM stops),
                   0, 0
          UNION ALL
            SELECT step.front, w.seen || step.front, w.found + cardinality(step.front), w.round + 1
            FROM walk w CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(DISTINCT p.prev_event_nid), '{}') AS front
                FROM (SELECT p.prev_event_nid FROM event_prev_edges p WHERE p.event_nid = ANY (w.front) OFFSET 0) p
                {{HeldPrevEvent}}
                WHERE NOT (p.prev_event_nid = ANY (w.seen))
            ) step
            WHERE cardinality(w.front) > 0 AND w.found < $4 AND w.round < $5
        )
        """;

    // The walk, the cut to the limit (nearest rounds first; within the last round the deepest, so a cut keeps what is
    // closest to latest_events) and the events themselves, in one statement: one round trip.
    private const string MissingEventsSql =
        WalkCte
        + $"""
        , found AS (
            SELECT f.event_nid, x.depth, x.stream_ordering, x.status
            FROM walk w CROSS JOIN LATERAL unnest(w.front) AS f(event_nid)
            CROSS JOIN LATERAL (SELECT e.depth, e.stream_ordering, e.status FROM events e WHERE e.event_nid = f.event_nid LIMIT 1) x
            WHERE w.round > 0
            ORDER BY w.round, x.depth DESC, x.stream_ordering DESC
            LIMIT $4
        )
        SELECT ev.*
        FROM found fo CROSS JOIN LATERAL (SELECT {EventColumns} FROM {EventJoins} WHERE e.event_nid = fo.event_nid LIMIT 1) ev
        WHERE fo.status <> 2
        ORDER BY fo.depth, fo.stream_ordering
        """;

    private const string BackfillSql =
        WalkCte
        + $"""
        , nodes AS (SELECT DISTINCT f.event_nid FROM walk w CROSS JOIN LATERAL unnest(w.front) AS f(event_nid))
        SELECT f.event_nid, x.depth, x.stream_ordering, NULL::bigint
        FROM nodes f CROSS JOIN LATERAL (SELECT e.depth, e.stream_ordering FROM events e WHERE e.event_nid = f.event_nid LIMIT 1) x
        UNION ALL
        SELECT p.event_nid, NULL, NULL, p.prev_event_nid
        FROM (SELECT p.event_nid, p.prev_event_nid FROM event_prev_edges p WHERE p.event_nid = ANY (ARRAY(SELECT event_nid FROM nodes)) OFFSET 0) p
        {HeldPrevEvent}
        """;

    /// <summary>
    /// The <c>/get_missing_events</c> walk: breadth-first backwards over prev_events from <paramref name="latestEvents"/>,
    /// never entering or returning <paramref name="earliestEvents"/> (nor the latest events themselves), until
    /// <paramref name="limit"/> (capped at <see cref="MaxMissingEventsLimit"/>) events are found. Ids not held in this
    /// room are ignored; outliers are not entered; rejected events are walked through but not returned. Oldest first.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> GetMissingEventsAsync(
        string roomId,
        IReadOnlyCollection<string> earliestEvents,
        IReadOnlyCollection<string> latestEvents,
        int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(earliestEvents);
        ArgumentNullException.ThrowIfNull(latestEvents);
        limit = Math.Min(limit, MaxMissingEventsLimit);
        if (limit <= 0 || latestEvents.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        var result = new List<StoredEvent>(limit);
        await using var command = Sql.Command(
            connection, MissingEventsSql, room.Nid, latestEvents.ToArray(), earliestEvents.ToArray(), limit, limit);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);

        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(ReadEvent(reader));
        }

        return result;
    }

    /// <summary>
    /// The <c>/backfill</c> walk: the seeds <paramref name="fromEvents"/> held in this room, then their ancestors through
    /// prev_events, always taking the deepest (then latest persisted) pending event next, never entering outliers, until
    /// <paramref name="limit"/> (capped at <see cref="MaxBackfillLimit"/>) events are taken. Rejected events are walked
    /// through but not returned. Deepest first.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> GetBackfillAsync(
        string roomId, IReadOnlyCollection<string> fromEvents, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fromEvents);
        limit = Math.Min(limit, MaxBackfillLimit);
        if (limit <= 0 || fromEvents.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        // Every event taken lies within limit − 1 steps of a seed (each is reached from one taken before it), so the
        // walk loads that neighbourhood and the priority order is applied in memory. The node cap only guards against
        // pathologically wide DAGs.
        var nodes = new Dictionary<long, (long Depth, long Stream)>();
        var prevs = new Dictionary<long, List<long>>();
        await using (var command = Sql.Command(
            connection, BackfillSql, room.Nid, fromEvents.ToArray(), Array.Empty<string>(), 50 * limit, limit - 1))
        {
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var nid = reader.GetInt64(0);
                if (reader.IsDBNull(3))
                {
                    nodes[nid] = (reader.GetInt64(1), reader.GetInt64(2));
                }
                else
                {
                    if (!prevs.TryGetValue(nid, out var list))
                    {
                        prevs[nid] = list = [];
                    }

                    list.Add(reader.GetInt64(3));
                }
            }
        }

        var seeds = await SeedNidsAsync(connection, room.Nid, fromEvents, cancellationToken).ConfigureAwait(false);
        var queue = new PriorityQueue<long, (long Depth, long Stream)>(
            Comparer<(long Depth, long Stream)>.Create((a, b) => a.Depth != b.Depth ? b.Depth.CompareTo(a.Depth) : b.Stream.CompareTo(a.Stream)));
        foreach (var seed in seeds)
        {
            if (nodes.TryGetValue(seed, out var key))
            {
                queue.Enqueue(seed, key);
            }
        }

        var taken = new HashSet<long>();
        var order = new List<long>();
        while (taken.Count < limit && queue.TryDequeue(out var nid, out _))
        {
            if (!taken.Add(nid))
            {
                continue;
            }

            order.Add(nid);
            foreach (var prev in prevs.GetValueOrDefault(nid) ?? [])
            {
                if (!taken.Contains(prev) && nodes.TryGetValue(prev, out var key))
                {
                    queue.Enqueue(prev, key);
                }
            }
        }

        var events = await ReadEventsByNidAsync(connection, [.. order], cancellationToken).ConfigureAwait(false);
        return [.. order
            .Select(nid => events[nid])
            .Where(e => e.Status != EventStatus.Rejected)
            .OrderByDescending(e => e.Pdu.Depth)
            .ThenByDescending(e => e.StreamOrdering)];
    }

    private static async Task<List<long>> SeedNidsAsync(
        NpgsqlConnection connection, long roomNid, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        const string sql = "SELECT e.event_nid FROM event_ids i JOIN events e USING (event_nid) WHERE i.room_nid = $1 AND i.event_id = ANY ($2)";
        var result = new List<long>();
        await using var command = Sql.Command(connection, sql, roomNid, ids.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(reader.GetInt64(0));
        }

        return result;
    }
}
