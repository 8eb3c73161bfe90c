namespace Federation.Host.Database;

/// <summary>
/// The connection string of the server's database, known once <see cref="DatabaseStartup"/> has started the embedded
/// cluster (when used) and migrated the schema. Reading it earlier is a programming error.
/// </summary>
public sealed class DatabaseConnection
{
    private string? _connectionString;

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The database is not ready: DatabaseStartup has not run");

    public bool IsReady => _connectionString is not null;

    internal void SetReady(string connectionString) => _connectionString = connectionString;
}
