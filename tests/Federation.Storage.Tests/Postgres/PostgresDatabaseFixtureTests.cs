using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Postgres;

public sealed class PostgresDatabaseFixtureTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Fixture_ForTestClass_ProvidesOwnDatabaseWithRepositoryMigrationsApplied()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO remote_server_keys (server_name, key_id, verify_key, valid_until_ts, fetched_at_ts)
            VALUES ('example.org', 'ed25519:a', '\x01'::bytea, 1, 1);
            SELECT current_database()
            """,
            connection);

        Assert.Equal(database.DatabaseName, await command.ExecuteScalarAsync());
        Assert.StartsWith("test_fixture_", database.DatabaseName, StringComparison.Ordinal);
    }
}
