using Npgsql;

namespace Federation.Local.Outbound;

/// <summary>
/// Read-only view of the outbound queue (migration 0014) for operators: the admin tool and the queue-depth gauge. The
/// sender's per-destination back-off lives in the sending process's memory; what persists, and so what any process
/// can see, is the backlog each destination accumulates while it is backed off.
/// </summary>
public sealed class OutboundQueueReader(NpgsqlDataSource dataSource)
{
    private const string ByDestinationSql =
        """
        SELECT destination, count(*), count(DISTINCT room_id), min(enqueued_ts)
        FROM outbound_pdus GROUP BY destination ORDER BY min(enqueued_ts), destination
        """;

    private const string TotalSql = "SELECT count(*), count(DISTINCT destination) FROM outbound_pdus";

    /// <summary>Destinations with queued events, the longest waiting first.</summary>
    public async Task<IReadOnlyList<QueuedDestination>> ByDestinationAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ByDestinationSql);
        var result = new List<QueuedDestination>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new QueuedDestination(
                reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return result;
    }

    /// <summary>Queued events and the destinations they wait for, in one round trip.</summary>
    public async Task<(long Events, long Destinations)> TotalsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(TotalSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
