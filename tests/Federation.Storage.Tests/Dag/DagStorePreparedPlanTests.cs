using Federation.Storage.Dag;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

/// <summary>
/// Why the store analyzes as it grows: a pooled connection keeps the generic plan it made for a prepared statement
/// until the tables' statistics change, and a plan made while they were nearly empty scans them whole.
/// </summary>
public sealed class DagStorePreparedPlanTests(PostgresDatabaseFixture database)
    : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_read_prepared_on_nearly_empty_tables_uses_the_indexes_once_the_store_has_written_enough_events()
    {
        var (_, store) = NewStore(new DagStoreOptions { PlannerStatisticsMinimumEvents = 500 });
        var room = await NewStartedRoomAsync(store);
        // A session set up as the store's are: its prepared statements run their generic plan.
        await using var session = new NpgsqlConnection(StoreDataSource.ConnectionString(Database.ConnectionString));
        await session.OpenAsync();
        await using (var prepare = new NpgsqlCommand(
            """
            PREPARE events_by_id (text[]) AS
            SELECT i.event_id, e.status FROM event_ids i JOIN events e USING (event_nid) WHERE i.event_id = ANY ($1)
            """,
            session))
        {
            await prepare.ExecuteNonQueryAsync();
        }

        Assert.Contains("Seq Scan on events", await ExplainAsync(session));

        await AppendMessagesAsync(room, "$j", "$m", 5_000, store);
        await store.PlannerStatisticsRefresh;

        var plan = await ExplainAsync(session);
        Assert.True(!plan.Contains("Seq Scan", StringComparison.Ordinal), plan);
        Assert.Contains("Index Scan using events_pkey", plan);
    }

    private static async Task<string> ExplainAsync(NpgsqlConnection session)
    {
        await using var command = new NpgsqlCommand("EXPLAIN EXECUTE events_by_id (ARRAY['$c', '$j'])", session);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
