using Federation.Storage.Dag;
using Federation.Storage.Migrations;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Benchmarks.Harness;

/// <summary>
/// A fresh migrated database on the test kit's throwaway Postgres cluster (or the server named by
/// <c>FEDERATION_TEST_POSTGRES</c>), with stores over it. Dropped on dispose.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly TemporaryDatabase database;
    private readonly List<NpgsqlDataSource> dataSources = [];

    private BenchDatabase(TemporaryDatabase database)
    {
        this.database = database;
    }

    public string ConnectionString => database.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync()
    {
        var database = await TestPostgresServer.CreateDatabaseAsync("bench");
        await new MigrationRunner(RepositoryLayout.MigrationsDirectory).MigrateAsync(database.ConnectionString);
        return new BenchDatabase(database);
    }

    /// <summary>A store with its own connection pool and empty caches, as a freshly started process has.</summary>
    public DagStore NewStore()
    {
        var dataSource = StoreDataSource.Create(database.ConnectionString);
        dataSources.Add(dataSource);
        return new DagStore(dataSource);
    }

    /// <summary>As <see cref="NewStore"/>, with one connection opened and returned to the pool first.</summary>
    public async Task<DagStore> NewOpenedStoreAsync()
    {
        var dataSource = StoreDataSource.Create(database.ConnectionString);
        if (dataSources.Count > 8)
        {
            // Close pools of stores measured before, so their connections do not pile up on the server.
            await dataSources[^1].DisposeAsync();
            dataSources.RemoveAt(dataSources.Count - 1);
        }

        dataSources.Add(dataSource);
        await using (await dataSource.OpenConnectionAsync())
        {
        }

        return new DagStore(dataSource);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var dataSource = StoreDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var dataSource in dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await database.DisposeAsync();
    }
}
