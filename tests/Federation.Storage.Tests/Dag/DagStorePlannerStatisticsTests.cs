using Federation.Storage.Dag;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

/// <summary>The store analyzes the DAG tables each time they have about doubled (see also
/// <see cref="DagStorePreparedPlanTests"/>).</summary>
public sealed class DagStorePlannerStatisticsTests(PostgresDatabaseFixture database)
    : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task The_tables_are_analyzed_once_the_minimum_is_written_and_again_only_after_they_have_about_doubled()
    {
        var (_, store) = NewStore(new DagStoreOptions { PlannerStatisticsMinimumEvents = 50 });
        var room = await NewStartedRoomAsync(store);
        var before = await AnalyzeCountAsync();

        // At least as many as the database holds, so that the first refresh does not find the tables large already.
        var first = (int)Math.Max(100, await EventCountAsync());
        await AppendMessagesAsync(room, "$j", "$a", first, store);
        await store.PlannerStatisticsRefresh;
        var analyzedRows = await ScalarAsync<long>("SELECT reltuples::bigint FROM pg_class WHERE oid = 'events'::regclass");
        Assert.Equal(await EventCountAsync(), analyzedRows);
        Assert.Equal(before + 1, await AnalyzeCountAsync());

        await AppendMessagesAsync(room, $"$a{first}", "$b", (int)analyzedRows / 2, store);
        await store.PlannerStatisticsRefresh;
        Assert.Equal(before + 1, await AnalyzeCountAsync());

        await AppendMessagesAsync(room, $"$b{analyzedRows / 2}", "$c", (int)analyzedRows / 2 + 1, store);
        await store.PlannerStatisticsRefresh;
        Assert.Equal(before + 2, await AnalyzeCountAsync());
    }

    [Fact]
    public async Task A_minimum_of_zero_leaves_the_statistics_to_autovacuum()
    {
        var (_, store) = NewStore(new DagStoreOptions { PlannerStatisticsMinimumEvents = 0 });
        var room = await NewStartedRoomAsync(store);
        var before = await AnalyzeCountAsync();

        await AppendMessagesAsync(room, "$j", "$m", 200, store);

        Assert.True(store.PlannerStatisticsRefresh.IsCompleted);
        Assert.Equal(before, await AnalyzeCountAsync());
    }

    [Fact]
    public async Task The_refresh_gathers_statistics_for_the_keys_and_none_for_the_json_or_the_auth_event_arrays()
    {
        var (_, store) = NewStore(new DagStoreOptions { PlannerStatisticsMinimumEvents = 50 });
        var room = await NewStartedRoomAsync(store);

        await AppendMessagesAsync(room, "$j", "$s", (int)Math.Max(100, await EventCountAsync()), store);
        await store.PlannerStatisticsRefresh;

        Assert.True(await HasStatisticsAsync("events", "room_nid"));
        Assert.True(await HasStatisticsAsync("event_ids", "event_id"));
        Assert.False(await HasStatisticsAsync("events", "auth_event_nids"));
        Assert.False(await HasStatisticsAsync("event_json", "json"));
        Assert.False(await HasStatisticsAsync("state_groups", "event_nids"));
    }

    private async Task<bool> HasStatisticsAsync(string table, string column) =>
        await ScalarAsync<long>($"SELECT count(*) FROM pg_stats WHERE tablename = '{table}' AND attname = '{column}'") > 0;

    private Task<long> EventCountAsync() => ScalarAsync<long>("SELECT count(*) FROM events");

    // Manual ANALYZE runs only: autovacuum's are counted apart.
    private Task<long> AnalyzeCountAsync() =>
        ScalarAsync<long>("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'events'");
}
