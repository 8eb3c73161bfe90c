using System.Text.Json;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Core.StateHashes;
using Npgsql;

namespace Federation.Ingest.Queue;

/// <summary>One room's inbound queue, held by this process (through a session advisory lock) until disposed.</summary>
public sealed class RoomLease : IAsyncDisposable
{
    private const string NextSql =
        """
        SELECT id, origin, event_id, redacted, attempts, claimed_before, claimed_after, claimed_n_before, claimed_n_after
        FROM inbound_pdus WHERE room_id = $1 ORDER BY id LIMIT $2
        """;

    private const string JsonSql = "SELECT id, event_json FROM inbound_pdus WHERE id = ANY ($1)";

    private readonly NpgsqlConnection connection;
    private readonly string roomId;
    private readonly RoomVersion version;
    private readonly InboundHandOff handOff;

    internal RoomLease(NpgsqlConnection connection, string roomId, RoomVersion version, InboundHandOff handOff)
    {
        this.connection = connection;
        this.roomId = roomId;
        this.version = version;
        this.handOff = handOff;
    }

    /// <summary>
    /// The oldest queued events of the room. The JSON of those this process queued is taken from memory; only the
    /// others' (queued before a restart, or by another process) is read and parsed.
    /// </summary>
    public async Task<IReadOnlyList<QueuedPdu>> NextAsync(int limit, CancellationToken cancellationToken)
    {
        var rows = await ReadRowsAsync(limit, cancellationToken).ConfigureAwait(false);
        var handedOff = new JsonElement?[rows.Count];
        var unknown = new List<long>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (handOff.TryGet(rows[i].Id, out var json))
            {
                handedOff[i] = json;
            }
            else
            {
                unknown.Add(rows[i].Id);
            }
        }

        var readBack = unknown.Count == 0 ? [] : await ReadJsonAsync([.. unknown], cancellationToken).ConfigureAwait(false);
        var queued = new List<QueuedPdu>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (handedOff[i] is not { } json && !readBack.TryGetValue(row.Id, out json))
            {
                // Removed since the first read (not by a lease: the room is ours); nothing left to process.
                continue;
            }

            // The id was computed when the event was admitted; the JSON is what was checked then.
            var pdu = Pdu.WithTrustedId(json, version, row.EventId);
            queued.Add(new QueuedPdu(row.Id, row.Origin, new VerifiedEvent(pdu, row.Redacted ? pdu.Json : null), row.Attempts, row.Claim));
        }

        return queued;
    }

    private async Task<List<QueuedRow>> ReadRowsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(NextSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });

        // Prepared on the lease's connection (an index range): Postgres parses and plans it once instead of on every
        // batch.
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<QueuedRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new QueuedRow(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetInt32(4), ReadClaim(reader)));
        }

        return rows;
    }

    private async Task<Dictionary<long, JsonElement>> ReadJsonAsync(long[] ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(JsonSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        var json = new Dictionary<long, JsonElement>(ids.Length);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            using var document = JsonDocument.Parse(reader.GetFieldValue<byte[]>(1));
            json[reader.GetInt64(0)] = document.RootElement.Clone();
        }

        return json;
    }

    private static StateHashClaim? ReadClaim(NpgsqlDataReader reader)
    {
        var claim = new StateHashClaim(Digest(reader, 5), Digest(reader, 6), Count(reader, 7), Count(reader, 8));
        return claim.Before is null && claim.After is null ? null : claim;
    }

    private static StateDigest? Digest(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : StateDigest.FromBytes(reader.GetFieldValue<byte[]>(column));

    private static long? Count(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);

    /// <summary>Removes a processed event from the queue.</summary>
    public async Task RemoveAsync(long id, CancellationToken cancellationToken)
    {
        await ExecuteAsync("DELETE FROM inbound_pdus WHERE id = $1", id, cancellationToken).ConfigureAwait(false);
        handOff.Forget(id);
    }

    /// <summary>The statements that remove processed events from the queue, for a transaction that persists them
    /// (see <see cref="Forget"/>).</summary>
    public static IReadOnlyList<NpgsqlBatchCommand> RemoveCommands(long[] ids)
    {
        // The transaction's statements are prepared, and a generic plan made while the queue was small scans its whole
        // heap, which grows with rows deleted and not yet vacuumed (seen at 10,000 pages per delete): this delete is
        // planned for the table as it is at each run.
        var delete = new NpgsqlBatchCommand("DELETE FROM inbound_pdus WHERE id = ANY ($1)");
        delete.Parameters.Add(new NpgsqlParameter { Value = ids });
        return [new NpgsqlBatchCommand("SET LOCAL plan_cache_mode = force_custom_plan"), delete];
    }

    /// <summary>Lets go of what this process keeps of events removed from the queue by <see cref="RemoveCommands"/>.</summary>
    public void Forget(IEnumerable<long> ids)
    {
        foreach (var id in ids)
        {
            handOff.Forget(id);
        }
    }

    /// <summary>Counts a failed attempt at processing an event.</summary>
    public Task RecordFailureAsync(long id, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE inbound_pdus SET attempts = attempts + 1 WHERE id = $1", id, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // The store's connections go back to the pool without a session reset (StoreDataSource), so the lock is released
        // here. If that fails the session is in doubt: the pool is cleared so that it is closed, not reused, and closing
        // it releases the lock.
        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1, hashtext($2))", connection);
            unlock.Parameters.Add(new NpgsqlParameter { Value = InboundPduStore.RoomLockClass });
            unlock.Parameters.Add(new NpgsqlParameter { Value = roomId });
            await unlock.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A queued row but for its JSON.</summary>
    private readonly record struct QueuedRow(long Id, string Origin, string EventId, bool Redacted, int Attempts, StateHashClaim? Claim);

    private async Task ExecuteAsync(string sql, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
