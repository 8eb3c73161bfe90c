using Npgsql;

namespace Federation.Storage.Dag.Transactions;

/// <summary>
/// Transactions received on <c>PUT /send/{txnId}</c>, keyed by (origin, txnId), with the response given, so a
/// retransmission is answered with the identical body without being processed again (federation-api §2.1).
/// </summary>
public sealed class ReceivedTransactionStore
{
    private const string SelectSql = "SELECT response_json FROM received_transactions WHERE origin = $1 AND txn_id = $2";

    private const string InsertSql =
        """
        WITH inserted AS (
            INSERT INTO received_transactions (origin, txn_id, received_ts, response_json) VALUES ($1, $2, $3, $4)
            ON CONFLICT (origin, txn_id) DO NOTHING
            RETURNING response_json)
        SELECT response_json FROM inserted
        UNION ALL
        SELECT response_json FROM received_transactions WHERE origin = $1 AND txn_id = $2
        LIMIT 1
        """;

    private const string PurgeSql = "DELETE FROM received_transactions WHERE received_ts < $1";

    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider timeProvider;

    /// <summary>Creates the store over a migrated database.</summary>
    public ReceivedTransactionStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        this.dataSource = dataSource;
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The response stored for (<paramref name="origin"/>, <paramref name="txnId"/>), or null when the
    /// transaction has not been answered.</summary>
    public async Task<byte[]?> GetResponseAsync(string origin, string txnId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(SelectSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = txnId });
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    /// <summary>Records the response to a transaction. If one was already recorded (a concurrent retransmission won),
    /// that one is kept and returned, so every caller answers alike.</summary>
    public async Task<byte[]> StoreResponseAsync(
        string origin, string txnId, ReadOnlyMemory<byte> responseJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentException.ThrowIfNullOrEmpty(txnId);
        await using var command = dataSource.CreateCommand(InsertSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = origin });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = txnId });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() });
        command.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = responseJson.ToArray() });
        // A concurrent insert committed after this statement's snapshot is only visible to a fresh statement.
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[]
            ?? await GetResponseAsync(origin, txnId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The response to transaction {txnId} of {origin} vanished.");
    }

    /// <summary>Forgets transactions received more than <paramref name="age"/> ago (Synapse keeps them about a day).</summary>
    /// <returns>How many were forgotten.</returns>
    public async Task<int> PurgeOlderThanAsync(TimeSpan age, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(PurgeSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = (timeProvider.GetUtcNow() - age).ToUnixTimeMilliseconds() });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
