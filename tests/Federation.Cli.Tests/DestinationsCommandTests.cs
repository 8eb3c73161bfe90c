using System.Text.Json;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Cli.Tests;

public sealed class DestinationsCommandTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Destinations_lists_queued_backlogs_and_holes_in_back_off()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var store = new DagStore(dataSource, TimeProvider.System);
        await AdminTestRoom.PersistAsync(store, "!dest:test");
        await store.RecordHoleFetchFailureAsync("!dest:test", "$gone", "down.example", "connection refused");
        await using (var insert = dataSource.CreateCommand(
            """
            INSERT INTO outbound_pdus (destination, room_id, event_id, enqueued_ts)
            VALUES ('down.example', '!dest:test', '$m', 1700000000000), ('down.example', '!dest:test', '$x', 1700000001000)
            """))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var (code, output, error) = await CliRun.RunAsync("destinations", "--database", database.ConnectionString);

        Assert.Equal("", error);
        Assert.Equal(0, code);
        Assert.Contains("outbound queue: 1 destinations with undelivered events", output, StringComparison.Ordinal);
        Assert.Contains("  down.example  2 events in 1 rooms, oldest queued 2023-11-14 22:13:20Z", output, StringComparison.Ordinal);
        Assert.Contains("missing events in back-off: 1", output, StringComparison.Ordinal);
        Assert.Contains("  !dest:test $gone  attempts 1, next attempt ", output, StringComparison.Ordinal);
        Assert.Contains("asked down.example; last error: connection refused", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_database_the_command_says_how_to_name_one()
    {
        var (code, _, error) = await CliRun.RunAsync("destinations", "--settings", "/nonexistent/appsettings.json");

        Assert.Equal(2, code);
        Assert.Contains("cannot read /nonexistent/appsettings.json", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_settings_file_supplies_the_connection_string()
    {
        var settings = Path.Combine(Path.GetTempPath(), $"federation-cli-settings-{Guid.NewGuid():N}.json");
        var json = JsonSerializer.Serialize(new { Database = new { database.ConnectionString } });
        await File.WriteAllTextAsync(settings, json);
        try
        {
            var (code, output, _) = await CliRun.RunAsync("destinations", "--settings", settings);

            Assert.Equal(0, code);
            Assert.Contains("outbound queue:", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Theory]
    [InlineData("room")]
    [InlineData("room", "inspect")]
    [InlineData("room", "state", "!r:x")]
    [InlineData("room", "inspect", "!r:x", "--out", "f")]
    [InlineData("destinations", "extra")]
    public async Task Malformed_admin_commands_are_usage_errors(params string[] args)
    {
        var (code, _, error) = await CliRun.RunAsync(args);

        Assert.Equal(2, code);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }
}
