using Federation.Storage.Postgres;
using Npgsql;

namespace Federation.Testing.Postgres;

/// <summary>A uniquely named, initially empty database on the test server; dropped on dispose.</summary>
public sealed class TemporaryDatabase : IAsyncDisposable
{
    private readonly string adminConnectionString;

    internal TemporaryDatabase(string adminConnectionString, string name)
    {
        this.adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>The database's name.</summary>
    public string Name { get; }

    /// <summary>Npgsql connection string for the database, with the test server's (privileged) role.</summary>
    public string ConnectionString { get; }

    /// <summary>Drops the database, first closing this process's pooled connections to it.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await PostgresDatabaseAdmin.DropDatabaseIfExistsAsync(adminConnectionString, Name);
    }
}
