using Federation.Host.Database;
using Federation.Storage;
using Federation.Storage.Migrations;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Federation.Host.Health;

/// <summary>Ready means: the database was started and migrated, answers now, and its schema is the latest this build knows.</summary>
public sealed class DatabaseHealthCheck(DatabaseConnection connection, IOptions<DatabaseOptions> options, IHostEnvironment environment) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!connection.IsReady)
        {
            return HealthCheckResult.Unhealthy("The database is still starting");
        }

        try
        {
            var runner = new MigrationRunner(MigrationsLocation.Resolve(options.Value, environment));
            return await runner.IsAtLatestSchemaAsync(connection.ConnectionString, cancellationToken).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database schema is not the latest: migrations are pending or disagree");
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or MigrationRefusedException)
        {
            return HealthCheckResult.Unhealthy("The database is unreachable or refuses our schema", e);
        }
    }
}
