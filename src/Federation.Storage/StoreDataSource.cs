using Npgsql;

namespace Federation.Storage;

/// <summary>Connections set up the way the store's statements are written for.</summary>
public static class StoreDataSource
{
    /// <summary>
    /// Session settings added to every connection: prepared statements always run their generic plan. Each statement
    /// the store prepares is written to be index probes whatever its parameter values, and with custom plans Postgres
    /// planned the event read anew on every execution, at several times the cost of running it. The generic plans
    /// follow the tables' growth through the ANALYZE runs of <c>PlannerStatistics</c>.
    /// </summary>
    public const string SessionOptions = "-c plan_cache_mode=force_generic_plan";

    /// <summary><paramref name="connectionString"/> with <see cref="SessionOptions"/> added to any options it sets.</summary>
    public static string ConnectionString(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrWhiteSpace(builder.Options) ? SessionOptions : $"{builder.Options} {SessionOptions}";
        return builder.ConnectionString;
    }

    /// <summary>A data source over <paramref name="connectionString"/> with <see cref="SessionOptions"/>.</summary>
    public static NpgsqlDataSource Create(string connectionString) => NpgsqlDataSource.Create(ConnectionString(connectionString));
}
