using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

/// <summary>
/// Every walk test again with Postgres planning each execution for its parameter values. The store's connections run
/// prepared statements with their generic plan (<see cref="StoreDataSource"/>), as the base class's do; the answers
/// must not depend on which plan runs.
/// </summary>
public sealed class DagStoreWalkCustomPlanTests(PostgresDatabaseFixture database) : DagStoreWalkTests(database)
{
    protected override string ConnectionString =>
        new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Options = "-c plan_cache_mode=force_custom_plan" }.ConnectionString;

    [Fact]
    public async Task The_stores_connections_plan_for_each_execution()
    {
        Assert.Equal("force_custom_plan", await ScalarAsync<string>("SHOW plan_cache_mode"));
    }
}
