using Npgsql;

namespace Federation.Storage.Postgres;

/// <summary>
/// A private PostgreSQL cluster run by this process from the machine's installed binaries, so a developer or a
/// small deployment needs no database administration: the first start runs initdb, later starts reuse the data.
/// The server listens only on 127.0.0.1 with trust authentication, so it must not be used on a machine shared with
/// untrusted local users. Disposing stops the server.
/// </summary>
public sealed class EmbeddedPostgresCluster : IAsyncDisposable, IDisposable
{
    /// <summary>Name of the server log inside the data directory.</summary>
    public const string LogFileName = PostgresServerControl.LogFileName;

    private const int PortAttemptsWhenPicking = 3;

    private readonly PostgresServerControl control;
    private int stopRequested;

    private EmbeddedPostgresCluster(PostgresServerControl control, string superuser, int port, bool initialized)
    {
        this.control = control;
        Superuser = superuser;
        Port = port;
        WasInitializedByThisStart = initialized;
    }

    /// <summary>Absolute path of the cluster's data directory.</summary>
    public string DataDirectory => control.DataDirectory;

    /// <summary>The port the server listens on at 127.0.0.1 (the configured one, or the free one picked).</summary>
    public int Port { get; }

    /// <summary>The superuser role that connection strings use.</summary>
    public string Superuser { get; }

    /// <summary>Where the server writes its log; read it when something goes wrong.</summary>
    public string LogFile => control.LogFile;

    /// <summary>True when this start created the cluster with initdb, false when it reused an existing one.</summary>
    public bool WasInitializedByThisStart { get; }

    /// <summary>
    /// Initialises the cluster if the data directory is new, clears a stale <c>postmaster.pid</c> left by a crash
    /// (or stops a server a previous run left running), and starts the server, waiting until it accepts connections.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">No PostgreSQL installation was found.</exception>
    /// <exception cref="EmbeddedPostgresStartException">initdb or the server failed; the message quotes the log.</exception>
    public static async Task<EmbeddedPostgresCluster> StartAsync(
        EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ValidateOptions(options);
        var control = PostgresServerControl.Create(options);
        var initialized = await control.InitializeIfNewAsync(cancellationToken).ConfigureAwait(false);
        await control.ClearLeftoverServerAsync(cancellationToken).ConfigureAwait(false);

        var attempts = options.Port == 0 ? PortAttemptsWhenPicking : 1;
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port == 0 ? FreeTcpPort.Pick() : options.Port;
            var failure = await control.TryStartAsync(port, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                return new EmbeddedPostgresCluster(control, options.Superuser, port, initialized);
            }

            // A picked port can be taken by someone else before the server binds it; pick again.
            var portTaken = failure.LogTail.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
                || failure.LogTail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);
            if (!portTaken || attempt >= attempts)
            {
                throw failure;
            }
        }
    }

    /// <summary>
    /// Stops a server that a process which died without stopping it left running on <paramref name="options"/>' data
    /// directory, and removes a stale <c>postmaster.pid</c>; does nothing if neither is there. For cleaning up after
    /// killed runs (e.g. test processes killed before their exit handlers finished).
    /// </summary>
    /// <returns>True if a running server was stopped.</returns>
    public static Task<bool> StopLeftoverServerAsync(EmbeddedPostgresOptions options, CancellationToken cancellationToken = default)
    {
        ValidateOptions(options);
        return PostgresServerControl.Create(options).ClearLeftoverServerAsync(cancellationToken);
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/> as the superuser over loopback TCP.</summary>
    public string GetConnectionString(string database = "postgres")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = Superuser,
            Database = database,
        }.ConnectionString;
    }

    /// <summary>
    /// Creates <paramref name="databaseName"/> unless it exists; see <see cref="PostgresDatabaseAdmin.CreateDatabaseIfMissingAsync"/>.
    /// </summary>
    /// <returns>True if the database was created now.</returns>
    public Task<bool> CreateDatabaseAsync(string databaseName, CancellationToken cancellationToken = default) =>
        PostgresDatabaseAdmin.CreateDatabaseIfMissingAsync(GetConnectionString(), databaseName, cancellationToken);

    /// <summary>
    /// Stops the server with <c>pg_ctl stop -m fast</c>: sessions are disconnected, their transactions rolled back,
    /// and the server shuts down cleanly so the next start needs no crash recovery. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref stopRequested, 1) == 1)
        {
            return;
        }

        var result = await control.StopAsync("fast", wait: true, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded && !PostgresServerControl.IsNotRunning(result))
        {
            throw new InvalidOperationException(
                $"Stopping the embedded PostgreSQL cluster in '{DataDirectory}' failed (exit {result.ExitCode}): {result.CombinedOutput}");
        }
    }

    /// <summary>
    /// Tells the server to quit at once (<c>pg_ctl stop -m immediate -W</c>) without waiting for it to exit. For
    /// throwaway clusters at process exit, where the process may be killed within a fraction of a second; a kept data
    /// directory would need crash recovery at its next start.
    /// </summary>
    public void StopImmediately()
    {
        if (Interlocked.Exchange(ref stopRequested, 1) == 1)
        {
            return;
        }

        control.StopAsync("immediate", wait: false, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Stops the server (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>Stops the server synchronously, for callers that cannot await.</summary>
    public void Dispose() => StopAsync().GetAwaiter().GetResult();

    private static void ValidateOptions(EmbeddedPostgresOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Superuser);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, 65535);
    }
}
