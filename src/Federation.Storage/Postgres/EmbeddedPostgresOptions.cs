namespace Federation.Storage.Postgres;

/// <summary>How to create and run a private PostgreSQL cluster owned by this process.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>
    /// Directory holding the cluster's files. Created and initialised (initdb) on first start; reused afterwards so
    /// data survives restarts. Required.
    /// </summary>
    public required string DataDirectory { get; init; }

    /// <summary>TCP port on 127.0.0.1 to listen on. Default 0: pick a free port at each start.</summary>
    public int Port { get; init; }

    /// <summary>
    /// Superuser role created by initdb and used in connection strings. Default <c>federation</c>, so nothing
    /// depends on a <c>postgres</c> role existing.
    /// </summary>
    public string Superuser { get; init; } = "federation";

    /// <summary>
    /// Operating-system user that runs initdb and the server when this process is root (PostgreSQL refuses root).
    /// Ignored when not root. Default <c>postgres</c>, the user the distribution packages create.
    /// </summary>
    public string ServiceUser { get; init; } = "postgres";

    /// <summary>
    /// Turns off fsync, synchronous commit and full-page writes. Default false. Only for throwaway clusters (tests):
    /// a crash can corrupt the data, in exchange for much faster commits.
    /// </summary>
    public bool DisableDurability { get; init; }

    /// <summary>Directory containing initdb, pg_ctl and postgres. Default null: found by <see cref="PostgresBinaryLocator"/>.</summary>
    public string? BinDirectory { get; init; }

    /// <summary>How long pg_ctl waits for the server to start or stop. Default 60 seconds, generous for slow CI disks.</summary>
    public TimeSpan StartStopTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
