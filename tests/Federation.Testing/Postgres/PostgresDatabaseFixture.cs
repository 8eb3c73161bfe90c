using Federation.Storage.Migrations;
using Xunit;

namespace Federation.Testing.Postgres;

/// <summary>
/// A fresh database at the latest schema for one test class: use it as <c>IClassFixture&lt;PostgresDatabaseFixture&gt;</c>.
/// It creates a uniquely named database on the shared <see cref="TestPostgresServer"/> (a throwaway cluster, or the
/// server named by the <c>FEDERATION_TEST_POSTGRES</c> environment variable), applies the repository's migrations/
/// to it, and drops it when the class is done. Tests in the class share the database, so each should use its own
/// keys (server names, room ids) rather than assume empty tables.
/// </summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    private TemporaryDatabase? database;

    /// <summary>Npgsql connection string of this class's database.</summary>
    public string ConnectionString => Database.ConnectionString;

    /// <summary>This class's database name.</summary>
    public string DatabaseName => Database.Name;

    private TemporaryDatabase Database =>
        database ?? throw new InvalidOperationException("The fixture is used before xunit initialised it.");

    /// <summary>Creates the database and migrates it.</summary>
    public async Task InitializeAsync()
    {
        database = await TestPostgresServer.CreateDatabaseAsync("fixture");
        try
        {
            await new MigrationRunner(RepositoryLayout.MigrationsDirectory).MigrateAsync(database.ConnectionString);
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed.
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Drops the database.</summary>
    public async Task DisposeAsync()
    {
        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
