using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

/// <summary>
/// Every walk test again with Postgres made to use generic plans from the first execution: the walks are prepared, and
/// a pooled connection keeps the generic plan it made, so the answers must not depend on which plan runs.
/// </summary>
public sealed class DagStoreWalkGenericPlanTests(PostgresDatabaseFixture database) : DagStoreWalkTests(database)
{
    protected override string ConnectionString =>
        new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Options = "-c plan_cache_mode=force_generic_plan" }.ConnectionString;

    [Fact]
    public async Task The_stores_connections_plan_generically()
    {
        Assert.Equal("force_generic_plan", await ScalarAsync<string>("SHOW plan_cache_mode"));
    }
}
