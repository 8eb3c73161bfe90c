namespace Federation.Storage.Postgres;

/// <summary>
/// The directory holding one PostgreSQL installation's server programs. <c>initdb</c>, <c>pg_ctl</c> and
/// <c>postgres</c> must come from the same directory because <c>pg_ctl</c> starts the <c>postgres</c> beside it.
/// </summary>
/// <param name="BinDirectory">Absolute path of the directory containing <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>.</param>
public sealed record PostgresBinaries(string BinDirectory)
{
    /// <summary>Path of <c>initdb</c>, used once to create a cluster in an empty data directory.</summary>
    public string InitDbPath => Path.Combine(BinDirectory, ExecutableName("initdb"));

    /// <summary>Path of <c>pg_ctl</c>, used to start, stop and query the server so we never manage its PID ourselves.</summary>
    public string PgCtlPath => Path.Combine(BinDirectory, ExecutableName("pg_ctl"));

    /// <summary>Path of the <c>postgres</c> server itself; only checked for, since <c>pg_ctl</c> launches it.</summary>
    public string PostgresPath => Path.Combine(BinDirectory, ExecutableName("postgres"));

    /// <summary>Whether all three programs exist, so a half-installed directory is skipped rather than failing later.</summary>
    public bool IsComplete => File.Exists(InitDbPath) && File.Exists(PgCtlPath) && File.Exists(PostgresPath);

    internal static string ExecutableName(string name) => OperatingSystem.IsWindows() ? name + ".exe" : name;
}
