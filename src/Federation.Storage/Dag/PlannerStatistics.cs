using Npgsql;

namespace Federation.Storage.Dag;

/// <summary>
/// Runs ANALYZE on the DAG tables each time they have about doubled since the statistics were last taken.
/// </summary>
/// <remarks>
/// The hot reads and writes are prepared once per pooled connection, and Postgres keeps the generic plan it chose
/// for each until the tables' statistics change. On a new server those plans are made while the tables hold a few
/// rows, so they are sequential scans and hash joins, and they stay that way until autovacuum first analyzes the
/// tables (after a minute or more). Measured on a fresh database, those plans were most of Postgres's CPU per
/// received event. Postgres re-plans prepared statements after an ANALYZE. Analyzing at each doubling costs
/// log₂(rows) runs in all; autovacuum keeps large tables current after that.
/// </remarks>
internal sealed class PlannerStatistics
{
    // A 3,000-row sample (target 10) instead of the default 30,000: these refreshes exist to move the plans off the
    // nearly-empty tables' sequential scans, which row counts and coarse distributions do; the key columns the plans
    // depend on are unique or nearly so. Measured in the persist benchmark, the full sample still cost ~9 % of the
    // database's CPU while the tables were young, once the payload columns had no statistics (migration 0038).
    // Autovacuum's own ANALYZE, with the configured target, follows as tables grow.
    private const string AnalyzeSql =
        """
        SET LOCAL default_statistics_target = 10;
        ANALYZE events, event_ids, event_json, event_prev_edges, forward_extremities,
                state_groups, state_group_digests, state_slots, missing_events
        """;

    // reltuples is -1 until a table is first analyzed (Postgres 14 and later).
    private const string EventRowsSql = "SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'events'::regclass";

    private readonly NpgsqlDataSource dataSource;
    private readonly long minimumEvents;
    private long writtenSinceRefresh;
    private long threshold;
    private bool knowsTableSize;
    private int refreshing;
    private Task lastRefresh = Task.CompletedTask;

    /// <param name="dataSource">Connections to the database.</param>
    /// <param name="minimumEvents">Events written by this process before the first refresh and between any two;
    /// 0 turns refreshing off.</param>
    public PlannerStatistics(NpgsqlDataSource dataSource, long minimumEvents)
    {
        this.dataSource = dataSource;
        this.minimumEvents = minimumEvents;
        threshold = minimumEvents;
    }

    /// <summary>The refresh running or last run; for tests.</summary>
    public Task LastRefresh => Volatile.Read(ref lastRefresh);

    /// <summary>Counts events the store has committed and starts a refresh in the background when they reach the
    /// threshold. Never waits for the refresh.</summary>
    public void EventsWritten(int count)
    {
        if (minimumEvents <= 0 || count <= 0)
        {
            return;
        }

        if (Interlocked.Add(ref writtenSinceRefresh, count) < Volatile.Read(ref threshold)
            || Interlocked.CompareExchange(ref refreshing, 1, 0) != 0)
        {
            return;
        }

        Volatile.Write(ref lastRefresh, Task.Run(RefreshAsync));
    }

    private async Task RefreshAsync()
    {
        try
        {
            var written = Interlocked.Read(ref writtenSinceRefresh);
            await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);

            // A process started on a large database analyzes only once the tables have doubled from what they are.
            if (!knowsTableSize)
            {
                knowsTableSize = true;
                var rows = await EventRowsAsync(connection).ConfigureAwait(false);
                if (rows > 2 * written)
                {
                    Interlocked.Add(ref writtenSinceRefresh, -written);
                    Volatile.Write(ref threshold, Math.Max(minimumEvents, rows));
                    return;
                }
            }

            await using (var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false))
            await using (var analyze = new NpgsqlCommand(AnalyzeSql, connection, transaction))
            {
                analyze.CommandTimeout = 0;
                await analyze.ExecuteNonQueryAsync().ConfigureAwait(false);
                await transaction.CommitAsync().ConfigureAwait(false);
            }

            Interlocked.Add(ref writtenSinceRefresh, -written);
            Volatile.Write(ref threshold, Math.Max(minimumEvents, await EventRowsAsync(connection).ConfigureAwait(false)));
        }
        catch (Exception exception) when (exception is NpgsqlException or ObjectDisposedException or InvalidOperationException)
        {
            // The database went away or refused; the count stands, so the next write past the threshold tries again.
        }
        finally
        {
            Volatile.Write(ref refreshing, 0);
        }
    }

    private static async Task<long> EventRowsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(EventRowsSql, connection);
        return (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
    }
}
