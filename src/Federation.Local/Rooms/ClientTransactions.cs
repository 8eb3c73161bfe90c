using Federation.Local.Events;
using Npgsql;

namespace Federation.Local.Rooms;

/// <summary>
/// Client transaction ids (migrations 0020, 0023): a retried <c>PUT /rooms/{roomId}/send/{type}/{txnId}</c> of the same
/// device gets the event the first request created. The key is (user, device, room, txnId), as Synapse keys its
/// transaction cache by the request path. Requests with one key are serialised across processes by a Postgres advisory
/// lock held, in a transaction, from the lookup until the created event is recorded; within a process they first queue
/// on an in-process lock so that each process holds at most one database connection per key while waiting.
/// </summary>
public sealed class ClientTransactions(NpgsqlDataSource dataSource, TimeProvider time)
{
    /// <summary>First key of the two-key advisory locks of client transactions (distinct from the store's and the inbound queue's).</summary>
    private const int LockClass = 0x7478;

    private const string LockSql = "SELECT pg_advisory_xact_lock($1, hashtext($2))";

    private const string SelectSql =
        "SELECT event_id FROM client_transactions WHERE user_id = $1 AND device_id = $2 AND room_id = $3 AND txn_id = $4";

    private const string InsertSql =
        """
        INSERT INTO client_transactions (user_id, device_id, room_id, txn_id, event_id, created_ts) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT DO NOTHING
        """;

    private readonly KeyedLocks<(string, string, string, string)> _locks = new();

    /// <summary>The event id recorded for the transaction, or the one <paramref name="create"/> makes (then recorded).</summary>
    public async Task<string> GetOrCreateAsync(
        string userId,
        string deviceId,
        string roomId,
        string txnId,
        Func<CancellationToken, Task<string>> create,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        using var local = await _locks.AcquireAsync((userId, deviceId, roomId, txnId), cancellationToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand(LockSql, connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<int> { TypedValue = LockClass });
            // Postgres text holds no NUL; two keys sharing a hash only wait for each other, which is harmless.
            lockCommand.Parameters.Add(new NpgsqlParameter<string> { TypedValue = string.Join('\n', userId, deviceId, roomId, txnId) });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var select = new NpgsqlCommand(SelectSql, connection, transaction))
        {
            AddKey(select, userId, deviceId, roomId, txnId);
            if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string known)
            {
                return known;
            }
        }

        var eventId = await create(cancellationToken).ConfigureAwait(false);
        // The event exists now: recording it must not be undone by the client hanging up, or its retry would make a second.
        await using (var insert = new NpgsqlCommand(InsertSql, connection, transaction))
        {
            AddKey(insert, userId, deviceId, roomId, txnId);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = eventId });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = time.GetUtcNow().ToUnixTimeMilliseconds() });
            await insert.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        return eventId;
    }

    private static void AddKey(NpgsqlCommand command, string userId, string deviceId, string roomId, string txnId)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = deviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = roomId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = txnId });
    }
}
