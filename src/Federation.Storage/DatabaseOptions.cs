using Npgsql;

namespace Federation.Storage;

/// <summary>
/// Where the homeserver keeps its data, bound from the <c>Database</c> configuration section. With no connection
/// string it runs its own PostgreSQL cluster, so a first start needs no database setup.
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Database";

    /// <summary>Name of the database created in the embedded cluster.</summary>
    public const string EmbeddedDatabaseName = "federation";

    /// <summary>
    /// Npgsql connection string of an existing database (<c>Database:ConnectionString</c>). Default null: start the
    /// embedded cluster instead and use its <see cref="EmbeddedDatabaseName"/> database.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Data directory of the embedded cluster (<c>Database:EmbeddedDataDirectory</c>), relative to the content root
    /// unless absolute. Default <c>data/postgres</c>. Ignored when a connection string is set. When the process runs as
    /// root the cluster runs as the <c>postgres</c> user, which must be able to enter every parent directory.
    /// </summary>
    public string EmbeddedDataDirectory { get; set; } = "data/postgres";

    /// <summary>
    /// Loopback TCP port of the embedded cluster (<c>Database:EmbeddedPort</c>). Default 0: a free port is picked at each
    /// start. Set it to reach the database with psql at a known address. Ignored when a connection string is set.
    /// </summary>
    public int EmbeddedPort { get; set; }

    /// <summary>
    /// Directory of the <c>NNNN_description.sql</c> migration files (<c>Database:MigrationsDirectory</c>), relative to the
    /// application's base directory unless absolute. Default <c>migrations</c>, i.e. beside the application's binaries.
    /// </summary>
    public string MigrationsDirectory { get; set; } = "migrations";

    /// <summary>True when no connection string is configured, so the embedded cluster must be started.</summary>
    public bool UsesEmbeddedCluster => string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>The embedded data directory as an absolute path, resolved against <paramref name="contentRootPath"/>.</summary>
    public string ResolveEmbeddedDataDirectory(string contentRootPath) => Path.GetFullPath(EmbeddedDataDirectory, contentRootPath);

    /// <summary>The migrations directory as an absolute path, resolved against <paramref name="applicationBasePath"/>
    /// (normally <see cref="AppContext.BaseDirectory"/>).</summary>
    public string ResolveMigrationsDirectory(string applicationBasePath) => Path.GetFullPath(MigrationsDirectory, applicationBasePath);

    /// <summary>
    /// Checks the options without touching the network or the disk, so startup can report every mistake at once.
    /// Each message starts with the configuration key it is about, e.g. <c>Database:EmbeddedPort</c>.
    /// </summary>
    /// <returns>The problems found; empty when the options are usable.</returns>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!UsesEmbeddedCluster)
        {
            ValidateConnectionString(errors);
        }
        else if (string.IsNullOrWhiteSpace(EmbeddedDataDirectory))
        {
            errors.Add(
                $"{SectionName}:{nameof(EmbeddedDataDirectory)} must be set when {SectionName}:{nameof(ConnectionString)} is empty.");
        }

        if (EmbeddedPort is < 0 or > 65535)
        {
            errors.Add($"{SectionName}:{nameof(EmbeddedPort)} must be between 0 (pick a free port) and 65535, but is {EmbeddedPort}.");
        }

        if (string.IsNullOrWhiteSpace(MigrationsDirectory))
        {
            errors.Add($"{SectionName}:{nameof(MigrationsDirectory)} must be set (default \"migrations\").");
        }

        return errors;
    }

    private void ValidateConnectionString(List<string> errors)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        }
        catch (ArgumentException exception)
        {
            errors.Add($"{SectionName}:{nameof(ConnectionString)} is not a valid Npgsql connection string: {exception.Message}");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            errors.Add($"{SectionName}:{nameof(ConnectionString)} must name a Host (leave it empty to use the embedded cluster).");
        }
    }
}
