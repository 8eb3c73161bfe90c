using Federation.Storage;
using Federation.Storage.Migrations;
using Federation.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Federation.Host.Database;

/// <summary>
/// Before the server accepts requests: starts the embedded PostgreSQL cluster when no connection string is
/// configured, then brings the schema up to date. Stops the embedded cluster on shutdown.
/// </summary>
public sealed partial class DatabaseStartup(
    IOptions<DatabaseOptions> options,
    DatabaseConnection connection,
    IHostEnvironment environment,
    TimeProvider timeProvider,
    ILogger<DatabaseStartup> logger) : IHostedService, IAsyncDisposable
{
    private EmbeddedPostgresCluster? _cluster;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        string connectionString;
        if (settings.UsesEmbeddedCluster)
        {
            var dataDirectory = settings.ResolveEmbeddedDataDirectory(environment.ContentRootPath);
            _cluster = await EmbeddedPostgresCluster.StartAsync(
                new EmbeddedPostgresOptions { DataDirectory = dataDirectory, Port = settings.EmbeddedPort },
                cancellationToken).ConfigureAwait(false);
            await _cluster.CreateDatabaseAsync(DatabaseOptions.EmbeddedDatabaseName, cancellationToken).ConfigureAwait(false);
            connectionString = _cluster.GetConnectionString(DatabaseOptions.EmbeddedDatabaseName);
            LogEmbeddedStarted(logger, dataDirectory, _cluster.Port);
        }
        else
        {
            connectionString = settings.ConnectionString!;
        }

        var runner = new MigrationRunner(MigrationsLocation.Resolve(settings, environment), timeProvider);
        var result = await runner.MigrateAsync(connectionString, cancellationToken).ConfigureAwait(false);
        LogMigrated(logger, result.Applied.Count, runner.MigrationsDirectory);
        connection.SetReady(connectionString);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_cluster is not null)
        {
            await _cluster.StopAsync(cancellationToken).ConfigureAwait(false);
            _cluster = null;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Embedded PostgreSQL started in {DataDirectory} on port {Port}")]
    private static partial void LogEmbeddedStarted(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Schema up to date: {Applied} migration(s) applied from {Directory}")]
    private static partial void LogMigrated(ILogger logger, int applied, string directory);
}
