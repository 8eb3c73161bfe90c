using Federation.Ingest.Remote;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.StateHashes;
using Npgsql;
using NpgsqlTypes;

namespace Federation.Ingest.Queue;

/// <summary>
/// The inbound queue in Postgres: PDUs admitted by <c>/send</c>, processed per room in arrival order by whichever
/// server process holds the room's queue lock. Rows survive restarts; duplicates of a queued event are ignored. The
/// JSON of the rows this instance inserts is also handed to its own leases in memory (<see cref="InboundHandOff"/>), so
/// that the common case, the process that admitted the events processing them, neither reads nor parses it again.
/// </summary>
public sealed class InboundPduStore(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>First key of the two-key advisory locks that give one process a room's queue (the store's write
    /// locks use single keys, so the two never collide).</summary>
    internal const int RoomLockClass = 0x1B0D;

    private const string EnqueueSql =
        """
        INSERT INTO inbound_pdus (room_id, event_id, origin, received_ts, event_json, redacted,
                                  claimed_before, claimed_after, claimed_n_before, claimed_n_after)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bytea[], $6::boolean[],
                             $7::bytea[], $8::bytea[], $9::bigint[], $10::bigint[])
        ON CONFLICT (room_id, event_id) DO NOTHING
        RETURNING id, room_id, event_id
        """;

    private const string RoomsSql =
        "SELECT room_id FROM inbound_pdus GROUP BY room_id ORDER BY min(id) LIMIT $1";

    private const string CountSql = "SELECT count(*) FROM inbound_pdus WHERE room_id = $1";

    /// <summary>The JSON of the rows this instance queued, for its own leases.</summary>
    internal InboundHandOff HandOff { get; init; } = new();

    /// <summary>Queues admitted events; those already queued are left as they are.</summary>
    public Task EnqueueAsync(IReadOnlyList<(string Origin, VerifiedEvent Event)> admitted, CancellationToken cancellationToken) =>
        EnqueueAsync(admitted, claims: null, cancellationToken);

    /// <summary>
    /// Queues admitted events with what their sender asserted about the state around them (by event id), to be checked
    /// once they are processed; those already queued are left as they are.
    /// </summary>
    public async Task EnqueueAsync(
        IReadOnlyList<(string Origin, VerifiedEvent Event)> admitted,
        IReadOnlyDictionary<string, StateHashClaim>? claims,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admitted);
        if (admitted.Count == 0)
        {
            return;
        }

        // One copy per room and event, so that each inserted row names the copy it holds.
        var queued = admitted.DistinctBy(a => (a.Event.Pdu.RoomId, a.Event.EventId)).ToList();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Prepared on a pooled connection (a data source's own commands cannot be): one insert from arrays, parsed and
        // planned once per connection instead of per transaction received.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(EnqueueSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = queued.Select(a => a.Event.Pdu.RoomId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = queued.Select(a => a.Event.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = queued.Select(a => a.Origin).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = queued.Select(_ => now).ToArray() });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = queued.Select(a => CanonicalJson.Encode(a.Event.Pdu.Json)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = queued.Select(a => a.Event.Redacted is not null).ToArray() });
        var claimed = queued.Select(a => claims?.GetValueOrDefault(a.Event.EventId)).ToArray();
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = claimed.Select(c => c?.Before?.ToBytes()).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = claimed.Select(c => c?.After?.ToBytes()).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = claimed.Select(c => c?.CountBefore).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint,
        });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = claimed.Select(c => c?.CountAfter).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint,
        });
        var byKey = queued.ToDictionary(a => (a.Event.Pdu.RoomId, a.Event.EventId), a => a.Event.Pdu.Json);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Only rows inserted come back: an event already queued keeps its queued copy, which may differ (another
            // origin, or a redacted copy), and is read back when processed.
            HandOff.Remember(reader.GetInt64(0), byKey[(reader.GetString(1), reader.GetString(2))]);
        }
    }

    /// <summary>Rooms with queued events, the longest waiting first.</summary>
    public async Task<IReadOnlyList<string>> RoomsWithWorkAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(RoomsSql);
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var rooms = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rooms.Add(reader.GetString(0));
        }

        return rooms;
    }

    /// <summary>How many events of the room are queued.</summary>
    public async Task<long> CountAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CountSql);
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        return (long)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Takes the room's queue for this process: null when another process holds it. Dispose the result to give it back
    /// (closing its connection also does, so a crashed process never keeps a room).
    /// </summary>
    public async Task<RoomLease?> TryTakeRoomAsync(string roomId, RoomVersion version, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1, hashtext($2))", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = RoomLockClass });
            command.Parameters.Add(new NpgsqlParameter { Value = roomId });
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                return new RoomLease(connection, roomId, version, HandOff);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await connection.DisposeAsync().ConfigureAwait(false);
        return null;
    }
}
