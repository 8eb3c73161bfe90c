using System.Net;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Api.Tests.Health;

public class HealthEndpointsTests(PostgresDatabaseFixture database) : IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Live_and_ready_answer_200_when_the_database_is_up_and_current()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Ready_answers_503_once_the_database_holds_a_schema_this_build_does_not_know_while_live_stays_200()
    {
        using var server = new FederationServerFactory(database);
        using var client = server.CreateClient();
        await using (var connection = new NpgsqlConnection(database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (9999, '9999_from_the_future', 'x', now())",
                connection);
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        }
        finally
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("DELETE FROM schema_migrations WHERE version = 9999", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}
