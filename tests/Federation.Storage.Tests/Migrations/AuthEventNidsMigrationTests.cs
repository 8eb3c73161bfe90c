using Federation.Storage.Migrations;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Migrations;

// 0035 moves auth edges from event_auth_edges rows onto the event rows: a database written before it keeps its edges.
public sealed class AuthEventNidsMigrationTests : IAsyncLifetime, IDisposable
{
    private const string Migration = "0035_events_auth_event_nids.sql";

    private readonly TemporaryDirectory migrations = new("migrations-auth-edges");
    private TemporaryDatabase database = null!;

    public async Task InitializeAsync() => database = await TestPostgresServer.CreateDatabaseAsync("auth_edges_migration");

    public async Task DisposeAsync() => await database.DisposeAsync();

    public void Dispose() => migrations.Dispose();

    [Fact]
    public async Task Edges_stored_as_rows_become_each_events_auth_array_and_the_table_goes()
    {
        foreach (var file in Directory.GetFiles(RepositoryLayout.MigrationsDirectory, "*.sql")
                     .Where(f => string.CompareOrdinal(Path.GetFileName(f), Migration) < 0))
        {
            File.Copy(file, Path.Combine(migrations.Path, Path.GetFileName(file)));
        }

        await new MigrationRunner(migrations.Path).MigrateAsync(database.ConnectionString);
        await ExecuteAsync(
            """
            INSERT INTO rooms (room_id, room_version) VALUES ('!r:x', '10');
            INSERT INTO event_ids (room_nid, event_id) SELECT 1, e FROM unnest(ARRAY['$create', '$join', '$message']) AS e;
            INSERT INTO events (event_nid, room_nid, type_nid, sender, depth, origin_server_ts, status, outlier, backfilled)
            SELECT n, 1, 1, '@a:x', n, 0, 0, true, false FROM generate_series(1, 3) AS n;
            INSERT INTO event_auth_edges (event_nid, auth_event_nid) VALUES (2, 1), (3, 2), (3, 1);
            """);
        File.Copy(Path.Combine(RepositoryLayout.MigrationsDirectory, Migration), Path.Combine(migrations.Path, Migration));

        await new MigrationRunner(migrations.Path).MigrateAsync(database.ConnectionString);

        Assert.Equal("1:{}|2:{1}|3:{1,2}", await ScalarAsync<string>(
            "SELECT string_agg(event_nid || ':' || auth_event_nids::text, '|' ORDER BY event_nid) FROM events"));
        Assert.False(await ScalarAsync<bool>("SELECT to_regclass('event_auth_edges') IS NOT NULL"));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
