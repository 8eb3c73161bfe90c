using Federation.Storage.Caching;
using Npgsql;

namespace Federation.Storage.Dag;

/// <summary>event_nid → event id for events of committed writes. Ids never change; past its budget the cache forgets
/// its least recently used half (<see cref="GenerationalMap{TKey, TValue}"/>), so a big room's hot ids survive.</summary>
internal sealed class EventIdCache(int maxEntries)
{
    private const string SelectSql = "SELECT event_nid, event_id FROM event_ids WHERE event_nid = ANY ($1)";

    // Runs of consecutive nids, each read as one index range scan and returned as one array (in nid order): a big
    // room's state arrived mostly in big batches (the /send_join state), so its nids form long runs, which costs far
    // fewer index descents and protocol rows than one probe and one row per nid. ARRAY(subquery ORDER BY) takes the
    // index order as it comes; array_agg(… ORDER BY) sorted every run again (most of the statement's time at 100k ids).
    private const string SelectRunsSql =
        """
        SELECT ARRAY(SELECT i.event_id FROM event_ids i WHERE i.event_nid BETWEEN r.lo AND r.hi ORDER BY i.event_nid)
        FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS r(lo, hi, ord)
        ORDER BY r.ord
        """;

    /// <summary>Below this many nids, <see cref="GetManyAsync(NpgsqlConnection, IReadOnlyList{long}, CancellationToken)"/>
    /// goes through the per-id cache.</summary>
    private const int BulkThreshold = 2_048;

    private readonly GenerationalMap<long, string> ids = new(Math.Max(1, maxEntries / 2));

    public void Add(long nid, string eventId) => ids.Set(nid, eventId);

    /// <summary>
    /// The ids of <paramref name="nids"/>, in order: through the cache for a few, and for many (a whole state) in one
    /// query over runs of consecutive nids, bypassing the cache (the caller keeps the array; caching 100k single ids
    /// would cost more than the query).
    /// </summary>
    public async Task<string[]> GetManyAsync(NpgsqlConnection connection, IReadOnlyList<long> nids, CancellationToken cancellationToken)
    {
        if (nids.Count < BulkThreshold)
        {
            return await GetAsync(connection, nids, cancellationToken).ConfigureAwait(false);
        }

        var sorted = new long[nids.Count];
        var positions = new int[nids.Count];
        for (var i = 0; i < sorted.Length; i++)
        {
            sorted[i] = nids[i];
            positions[i] = i;
        }

        Array.Sort(sorted, positions);
        var lows = new List<long>();
        var highs = new List<long>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (lows.Count > 0 && sorted[i] <= highs[^1] + 1)
            {
                highs[^1] = sorted[i];
            }
            else
            {
                lows.Add(sorted[i]);
                highs.Add(sorted[i]);
            }
        }

        var result = new string[nids.Count];
        var next = 0;
        await using (var command = new NpgsqlCommand(SelectRunsSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. lows] });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. highs] });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            for (var run = 0; await reader.ReadAsync(cancellationToken).ConfigureAwait(false); run++)
            {
                var ids = reader.GetFieldValue<string[]>(0);
                if (ids.Length != highs[run] - lows[run] + 1)
                {
                    throw new InvalidOperationException($"Some event nid between {lows[run]} and {highs[run]} does not exist.");
                }

                // The sorted nids of this run, a nid asked twice taking the same id.
                for (; next < sorted.Length && sorted[next] <= highs[run]; next++)
                {
                    result[positions[next]] = ids[sorted[next] - lows[run]];
                }
            }
        }

        return result;
    }

    /// <summary>As <see cref="GetManyAsync(NpgsqlConnection, IReadOnlyList{long}, CancellationToken)"/>, taking ids found
    /// in <paramref name="known"/> (those stored with big state rows) from there and looking up only the rest.</summary>
    public async Task<string[]> GetManyAsync(
        NpgsqlConnection connection, IReadOnlyList<long> nids, IReadOnlyDictionary<long, string>? known, CancellationToken cancellationToken)
    {
        if (known is null)
        {
            return await GetManyAsync(connection, nids, cancellationToken).ConfigureAwait(false);
        }

        var result = new string[nids.Count];
        var missing = new List<int>();
        for (var i = 0; i < result.Length; i++)
        {
            if (known.TryGetValue(nids[i], out var id))
            {
                result[i] = id;
            }
            else
            {
                missing.Add(i);
            }
        }

        if (missing.Count > 0)
        {
            var found = await GetManyAsync(connection, [.. missing.Select(i => nids[i])], cancellationToken).ConfigureAwait(false);
            for (var j = 0; j < found.Length; j++)
            {
                result[missing[j]] = found[j];
            }
        }

        return result;
    }

    /// <summary>The ids of <paramref name="nids"/>, in order, loading the uncached ones in one query.</summary>
    public async Task<string[]> GetAsync(NpgsqlConnection connection, IReadOnlyList<long> nids, CancellationToken cancellationToken)
    {
        var result = new string[nids.Count];
        List<int>? missing = null;
        for (var i = 0; i < nids.Count; i++)
        {
            if (ids.TryGetValue(nids[i], out var id))
            {
                result[i] = id;
            }
            else
            {
                (missing ??= []).Add(i);
            }
        }

        if (missing is null)
        {
            return result;
        }

        var loaded = new Dictionary<long, string>(missing.Count);
        await using (var command = new NpgsqlCommand(SelectSql, connection))
        {
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. missing.Select(i => nids[i])] });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                loaded[reader.GetInt64(0)] = reader.GetString(1);
            }
        }

        foreach (var i in missing)
        {
            var id = loaded.TryGetValue(nids[i], out var found)
                ? found
                : throw new InvalidOperationException($"Event nid {nids[i]} does not exist.");
            result[i] = id;
            Add(nids[i], id);
        }

        return result;
    }
}
