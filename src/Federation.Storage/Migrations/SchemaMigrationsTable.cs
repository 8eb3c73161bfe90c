namespace Federation.Storage.Migrations;

/// <summary>The SQL the runner uses for its own bookkeeping, kept in one place.</summary>
internal static class SchemaMigrationsTable
{
    /// <summary>
    /// Advisory-lock key that serialises migration runners on one database (advisory locks are per database).
    /// The bytes spell "FedMigra"; any constant works as long as nothing else in the schema uses it.
    /// </summary>
    public const long AdvisoryLockKey = 0x4665644D69677261;

    public const string Create = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    bigint      PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL
        )
        """;

    public const string Exists = "SELECT to_regclass('schema_migrations') IS NOT NULL";

    public const string SelectAll = "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version";

    public const string Insert = "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)";

    public const string Lock = "SELECT pg_advisory_lock($1)";
}
