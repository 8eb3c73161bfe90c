using Npgsql;

namespace Federation.Storage.Migrations;

/// <summary>
/// Brings a database's schema up to date from numbered SQL files (see migrations/README.md). Each pending file runs
/// in its own transaction together with its row in <c>schema_migrations</c>, so a file is either fully applied and
/// recorded or not at all. Concurrent runners (several instances starting at once) queue on an advisory lock, so
/// each file runs exactly once. The runner refuses to touch a database whose history disagrees with the files.
/// </summary>
public sealed class MigrationRunner
{
    private readonly TimeProvider timeProvider;

    /// <summary>Creates a runner for the files in <paramref name="migrationsDirectory"/>.</summary>
    /// <param name="migrationsDirectory">Directory of <c>NNNN_description.sql</c> files; read at each call, not here.</param>
    /// <param name="timeProvider">Clock for <c>applied_at</c>; defaults to the system clock.</param>
    public MigrationRunner(string migrationsDirectory, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(migrationsDirectory);
        MigrationsDirectory = Path.GetFullPath(migrationsDirectory);
        this.timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Absolute path of the directory the migrations are read from.</summary>
    public string MigrationsDirectory { get; }

    /// <summary>
    /// Applies every pending migration in version order. A no-op when the schema is current.
    /// </summary>
    /// <param name="connectionString">Npgsql connection string of the database, as a role that may create tables.</param>
    /// <param name="cancellationToken">Cancels waiting for the lock or the running migration (which then rolls back).</param>
    /// <exception cref="MigrationRefusedException">The history disagrees with the files; nothing was changed.</exception>
    /// <exception cref="MigrationFailedException">A migration failed; it was rolled back, earlier ones stay applied.</exception>
    public async Task<MigrationRunResult> MigrateAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var scripts = MigrationScriptLoader.LoadDirectory(MigrationsDirectory);

        // A private, unpooled session: closing it is what releases the advisory lock, even after a failure or
        // cancellation, whereas a pooled session could keep holding it.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        await using (var lockCommand = new NpgsqlCommand(SchemaMigrationsTable.Lock, connection) { CommandTimeout = 0 })
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = SchemaMigrationsTable.AdvisoryLockKey });
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        // Created under the lock: concurrent CREATE TABLE IF NOT EXISTS can still collide in the catalog.
        await using (var create = new NpgsqlCommand(SchemaMigrationsTable.Create, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var applied = await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
        var plan = MigrationPlan.Create(scripts, applied);
        if (plan.Conflicts.Count > 0)
        {
            throw new MigrationRefusedException(MigrationsDirectory, plan.Conflicts);
        }

        foreach (var script in plan.Pending)
        {
            await ApplyAsync(connection, script, cancellationToken).ConfigureAwait(false);
        }

        return new MigrationRunResult(plan.Pending, applied.Count);
    }

    /// <summary>
    /// Compares the database with the files without changing either and without taking the lock, so it is cheap
    /// enough for a readiness probe. A database without <c>schema_migrations</c> counts as empty.
    /// </summary>
    /// <param name="connectionString">Npgsql connection string of the database; read access is enough.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<SchemaStatus> GetStatusAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var scripts = MigrationScriptLoader.LoadDirectory(MigrationsDirectory);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        IReadOnlyList<AppliedMigration> applied = [];
        await using (var exists = new NpgsqlCommand(SchemaMigrationsTable.Exists, connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                applied = await ReadAppliedAsync(connection, cancellationToken).ConfigureAwait(false);
            }
        }

        var plan = MigrationPlan.Create(scripts, applied);
        return new SchemaStatus(applied, plan.Pending, plan.Conflicts);
    }

    /// <summary>Whether the database is at the latest schema: see <see cref="SchemaStatus.IsAtLatest"/>.</summary>
    public async Task<bool> IsAtLatestSchemaAsync(string connectionString, CancellationToken cancellationToken = default) =>
        (await GetStatusAsync(connectionString, cancellationToken).ConfigureAwait(false)).IsAtLatest;

    private async Task ApplyAsync(NpgsqlConnection connection, MigrationScript script, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
#pragma warning disable CA2100 // Migration files are reviewed source code, run verbatim by design.
            await using (var migration = new NpgsqlCommand(script.Sql, connection, transaction) { CommandTimeout = 0 })
#pragma warning restore CA2100
            {
                await migration.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var record = new NpgsqlCommand(SchemaMigrationsTable.Insert, connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = script.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = script.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = script.Checksum });
                record.Parameters.Add(new NpgsqlParameter { Value = timeProvider.GetUtcNow() });
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NpgsqlException exception)
        {
            // Disposing the transaction rolls it back; the migration leaves no trace and is not recorded.
            throw new MigrationFailedException(script, exception);
        }
    }

    private static async Task<IReadOnlyList<AppliedMigration>> ReadAppliedAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var applied = new List<AppliedMigration>();
        await using var command = new NpgsqlCommand(SchemaMigrationsTable.SelectAll, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            applied.Add(new AppliedMigration(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return applied;
    }
}
