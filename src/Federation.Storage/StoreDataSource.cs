using Npgsql;

namespace Federation.Storage;

/// <summary>
/// Connections set up the way the store's statements are written for. A connection goes back to the pool without the
/// session reset Npgsql sends by default (seven statements, run before the next command on it; four in five of all
/// statements during ingest): nothing here leaves session state behind but prepared statements, which are meant to stay, and the
/// inbound queue's room lock, which its lease releases itself. An open transaction is still rolled back.
/// </summary>
public static class StoreDataSource
{
    /// <summary>
    /// Session settings added to every connection: prepared statements always run their generic plan. Each statement
    /// the store prepares is written to be index probes whatever its parameter values, and with custom plans Postgres
    /// planned the event read anew on every execution, at several times the cost of running it. The generic plans
    /// follow the tables' growth through the ANALYZE runs of <c>PlannerStatistics</c>.
    /// </summary>
    public const string SessionOptions = "-c plan_cache_mode=force_generic_plan";

    /// <summary><paramref name="connectionString"/> with <see cref="SessionOptions"/> added to any options it sets, and no
    /// session reset when a connection goes back to the pool.</summary>
    public static string ConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? SessionOptions : $"{builder.Options} {SessionOptions}";
        builder.NoResetOnClose = true;
        return builder.ConnectionString;
    }

    /// <summary>A data source over <see cref="ConnectionString(string)"/>.</summary>
    public static NpgsqlDataSource Create(string connectionString) => NpgsqlDataSource.Create(ConnectionString(connectionString));
}
