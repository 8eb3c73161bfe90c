using System.Collections.Concurrent;
using Npgsql;

namespace Federation.Storage.Dag;

/// <summary>event_nid → event id for events of committed writes. Ids never change; the cache is emptied when it
/// outgrows its budget.</summary>
internal sealed class EventIdCache(int maxEntries)
{
    private const string SelectSql = "SELECT event_nid, event_id FROM event_ids WHERE event_nid = ANY ($1)";

    private readonly ConcurrentDictionary<long, string> ids = new();
    private int count;

    public void Add(long nid, string eventId)
    {
        // ConcurrentDictionary.Count takes every lock; an approximate counter is enough for a budget.
        if (ids.TryAdd(nid, eventId) && Interlocked.Increment(ref count) > maxEntries)
        {
            ids.Clear();
            Interlocked.Exchange(ref count, 0);
        }
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
