using System.Collections.Concurrent;
using Npgsql;

namespace Federation.Local.Rooms;

/// <summary>
/// Client transaction ids (migration 0020): a retried <c>PUT …/send/{type}/{txnId}</c> of the same device gets the event
/// the first request created. Requests with one key are serialised in the process, so a retry racing the original
/// waits for it instead of creating a second event.
/// </summary>
public sealed class ClientTransactions(NpgsqlDataSource dataSource, TimeProvider time)
{
    private const string SelectSql = "SELECT event_id FROM client_transactions WHERE user_id = $1 AND device_id = $2 AND txn_id = $3";

    private const string InsertSql =
        """
        INSERT INTO client_transactions (user_id, device_id, txn_id, event_id, created_ts) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT DO NOTHING
        """;

    private readonly ConcurrentDictionary<(string, string, string), SemaphoreSlim> _locks = new();

    /// <summary>The event id recorded for the transaction, or the one <paramref name="create"/> makes (then recorded).</summary>
    public async Task<string> GetOrCreateAsync(
        string userId, string deviceId, string txnId, Func<CancellationToken, Task<string>> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(create);
        var key = (userId, deviceId, txnId);
        var gate = _locks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var select = dataSource.CreateCommand(SelectSql))
            {
                AddKey(select, userId, deviceId, txnId);
                if (await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string known)
                {
                    return known;
                }
            }

            var eventId = await create(cancellationToken).ConfigureAwait(false);
            await using var insert = dataSource.CreateCommand(InsertSql);
            AddKey(insert, userId, deviceId, txnId);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = eventId });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = time.GetUtcNow().ToUnixTimeMilliseconds() });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return eventId;
        }
        finally
        {
            gate.Release();
            _locks.TryRemove(new KeyValuePair<(string, string, string), SemaphoreSlim>(key, gate));
        }
    }

    private static void AddKey(NpgsqlCommand command, string userId, string deviceId, string txnId)
    {
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = userId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = deviceId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = txnId });
    }
}
