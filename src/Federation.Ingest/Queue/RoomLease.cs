using System.Text.Json;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Fingerprints;
using Federation.Resync.Core.StateHashes;
using Npgsql;

namespace Federation.Ingest.Queue;

/// <summary>One room's inbound queue, held by this process (through a session advisory lock) until disposed.</summary>
public sealed class RoomLease(NpgsqlConnection connection, string roomId, RoomVersion version) : IAsyncDisposable
{
    private const string NextSql =
        """
        SELECT id, origin, event_id, event_json, redacted, attempts, claimed_before, claimed_after, claimed_n_before, claimed_n_after
        FROM inbound_pdus WHERE room_id = $1 ORDER BY id LIMIT $2
        """;

    /// <summary>The oldest queued events of the room.</summary>
    public async Task<IReadOnlyList<QueuedPdu>> NextAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(NextSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var queued = new List<QueuedPdu>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // The id was computed when the event was admitted; the JSON is what was checked then.
            using var json = JsonDocument.Parse(reader.GetFieldValue<byte[]>(3));
            var pdu = Pdu.WithTrustedId(json.RootElement.Clone(), version, reader.GetString(2));
            queued.Add(new QueuedPdu(
                reader.GetInt64(0), reader.GetString(1), new VerifiedEvent(pdu, reader.GetBoolean(4) ? pdu.Json : null), reader.GetInt32(5), ReadClaim(reader)));
        }

        return queued;
    }

    private static StateHashClaim? ReadClaim(NpgsqlDataReader reader)
    {
        var claim = new StateHashClaim(Digest(reader, 6), Digest(reader, 7), Count(reader, 8), Count(reader, 9));
        return claim.Before is null && claim.After is null ? null : claim;
    }

    private static StateDigest? Digest(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : StateDigest.FromBytes(reader.GetFieldValue<byte[]>(column));

    private static long? Count(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);

    /// <summary>Removes a processed event from the queue.</summary>
    public Task RemoveAsync(long id, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM inbound_pdus WHERE id = $1", id, cancellationToken);

    /// <summary>Removes processed events from the queue in one statement.</summary>
    public async Task RemoveAsync(long[] ids, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM inbound_pdus WHERE id = ANY ($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
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

    private async Task ExecuteAsync(string sql, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
