using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests;

public sealed class StoreDataSourceTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task The_stores_connections_run_prepared_statements_with_their_generic_plan()
    {
        await using var dataSource = StoreDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand("SHOW plan_cache_mode");

        Assert.Equal("force_generic_plan", await command.ExecuteScalarAsync());
    }

    [Fact]
    public void Options_the_operator_set_are_kept_before_the_stores()
    {
        var connectionString = StoreDataSource.ConnectionString("Host=db;Options=-c statement_timeout=5s");

        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal("-c statement_timeout=5s -c plan_cache_mode=force_generic_plan", settings.Options);
        Assert.True(settings.NoResetOnClose);
    }
}
