using Federation.Storage.Migrations;
using Federation.Testing.Postgres;
using Federation.Testing.Time;
using Npgsql;

namespace Federation.Storage.Tests.Migrations;

// Every test gets its own empty database and, where it needs particular files, its own migrations directory.
public sealed class MigrationRunnerTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly TemporaryDirectory migrations = new("migrations-test");
    private TemporaryDatabase database = null!;

    private string ConnectionString => database.ConnectionString;

    public async Task InitializeAsync() => database = await TestPostgresServer.CreateDatabaseAsync("migration_runner");

    public async Task DisposeAsync() => await database.DisposeAsync();

    public void Dispose() => migrations.Dispose();

    [Fact]
    public async Task MigrateAsync_EmptyDatabase_AppliesRepositoryMigrationsToLatestSchema()
    {
        var runner = new MigrationRunner(RepositoryLayout.MigrationsDirectory, new FakeTimeProvider(Now));
        var files = MigrationScriptLoader.LoadDirectory(RepositoryLayout.MigrationsDirectory);
        Assert.False(await runner.IsAtLatestSchemaAsync(ConnectionString));

        var result = await runner.MigrateAsync(ConnectionString);

        Assert.Equal(files.Select(file => file.Name), result.Applied.Select(script => script.Name));
        Assert.Equal(0, result.AlreadyAppliedCount);
        Assert.True(await runner.IsAtLatestSchemaAsync(ConnectionString));
        Assert.True(await ScalarAsync<bool>("SELECT to_regclass('remote_server_keys') IS NOT NULL"));
        var status = await runner.GetStatusAsync(ConnectionString);
        Assert.All(status.Applied, migration => Assert.Equal(Now, migration.AppliedAt));
        Assert.Equal(files.Select(file => file.Checksum), status.Applied.Select(migration => migration.Checksum));
    }

    [Fact]
    public async Task MigrateAsync_RunAgain_IsNoOp()
    {
        WriteWidgetMigrations();
        var clock = new FakeTimeProvider(Now);
        var runner = new MigrationRunner(migrations.Path, clock);
        var first = await runner.MigrateAsync(ConnectionString);
        clock.Advance(TimeSpan.FromDays(1));

        var second = await runner.MigrateAsync(ConnectionString);

        Assert.Equal(2, first.Applied.Count);
        Assert.Empty(second.Applied);
        Assert.Equal(2, second.AlreadyAppliedCount);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM widgets"));
        Assert.Equal(Now, await ScalarAsync<DateTimeOffset>("SELECT max(applied_at) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_AppliedMigrationWasEdited_RefusesNamingTheFileAndChangesNothing()
    {
        WriteWidgetMigrations();
        await new MigrationRunner(migrations.Path).MigrateAsync(ConnectionString);
        migrations.WriteFile("0001_create_widgets.sql", "CREATE TABLE widgets (id int PRIMARY KEY, colour text);");
        migrations.WriteFile("0003_create_gadgets.sql", "CREATE TABLE gadgets (id int);");
        var runner = new MigrationRunner(migrations.Path);

        var exception = await Assert.ThrowsAsync<MigrationRefusedException>(() => runner.MigrateAsync(ConnectionString));

        Assert.Contains("0001_create_widgets.sql", exception.Message, StringComparison.Ordinal);
        var conflict = Assert.Single(exception.Conflicts);
        Assert.Equal(MigrationConflictReason.ChecksumMismatch, conflict.Reason);
        Assert.False(await ScalarAsync<bool>("SELECT to_regclass('gadgets') IS NOT NULL"));
        Assert.False(await runner.IsAtLatestSchemaAsync(ConnectionString));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseHasMigrationUnknownToDirectory_RefusesNamingTheFile()
    {
        WriteWidgetMigrations();
        await new MigrationRunner(migrations.Path).MigrateAsync(ConnectionString);
        using var olderRelease = new TemporaryDirectory("migrations-older");
        olderRelease.WriteFile("0001_create_widgets.sql", File.ReadAllText(Path.Combine(migrations.Path, "0001_create_widgets.sql")));
        var runner = new MigrationRunner(olderRelease.Path);

        var exception = await Assert.ThrowsAsync<MigrationRefusedException>(() => runner.MigrateAsync(ConnectionString));

        Assert.Contains("0002_insert_first_widget.sql", exception.Message, StringComparison.Ordinal);
        Assert.Equal(MigrationConflictReason.AppliedMigrationMissing, Assert.Single(exception.Conflicts).Reason);
        Assert.False(await runner.IsAtLatestSchemaAsync(ConnectionString));
    }

    [Fact]
    public async Task MigrateAsync_PendingMigrationNumberedBelowAppliedOne_Refuses()
    {
        migrations.WriteFile("0001_create_widgets.sql", "CREATE TABLE widgets (id int PRIMARY KEY);");
        migrations.WriteFile("0003_create_gadgets.sql", "CREATE TABLE gadgets (id int);");
        await new MigrationRunner(migrations.Path).MigrateAsync(ConnectionString);
        migrations.WriteFile("0002_create_gizmos.sql", "CREATE TABLE gizmos (id int);");
        var runner = new MigrationRunner(migrations.Path);

        var exception = await Assert.ThrowsAsync<MigrationRefusedException>(() => runner.MigrateAsync(ConnectionString));

        Assert.Equal(MigrationConflictReason.PendingBelowApplied, Assert.Single(exception.Conflicts).Reason);
        Assert.Contains("0002_create_gizmos.sql", exception.Message, StringComparison.Ordinal);
        Assert.False(await ScalarAsync<bool>("SELECT to_regclass('gizmos') IS NOT NULL"));
    }

    [Fact]
    public async Task MigrateAsync_TwoRunnersAtOnce_ApplyEachMigrationExactlyOnce()
    {
        WriteWidgetMigrations();
        migrations.WriteFile("0003_insert_second_widget.sql", "INSERT INTO widgets (id) VALUES (2);");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        // Hold the runners' lock ourselves until both are queued on it, so they truly contend.
        await using var blocker = new NpgsqlConnection(ConnectionString);
        await blocker.OpenAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_lock($1)", blocker))
        {
            hold.Parameters.Add(new NpgsqlParameter { Value = SchemaMigrationsTable.AdvisoryLockKey });
            await hold.ExecuteNonQueryAsync();
        }

        var first = Task.Run(() => new MigrationRunner(migrations.Path).MigrateAsync(ConnectionString, timeout.Token));
        var second = Task.Run(() => new MigrationRunner(migrations.Path).MigrateAsync(ConnectionString, timeout.Token));
        await WaitUntilAsync(
            blocker,
            "SELECT count(*) = 2 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                + "(SELECT oid FROM pg_database WHERE datname = current_database())",
            first,
            second,
            timeout.Token);
        await ExecuteAsync(blocker, "SELECT pg_advisory_unlock_all()");
        var results = await Task.WhenAll(first, second);

        Assert.Equal(3, results.Sum(result => result.Applied.Count));
        Assert.Contains(results, result => result.Applied.Count == 0);
        Assert.Equal(2L, await ScalarAsync<long>("SELECT count(*) FROM widgets"));
        Assert.Equal(3L, await ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_MigrationFails_RollsItBackAndDoesNotRecordIt()
    {
        migrations.WriteFile("0001_create_widgets.sql", "CREATE TABLE widgets (id int PRIMARY KEY);");
        migrations.WriteFile("0002_half_done.sql", "CREATE TABLE gadgets (id int);\nINSERT INTO widgets (id) VALUES (1);\nSELECT 1 / 0;");
        var runner = new MigrationRunner(migrations.Path);

        var exception = await Assert.ThrowsAsync<MigrationFailedException>(() => runner.MigrateAsync(ConnectionString));

        Assert.Equal("0002_half_done.sql", exception.FileName);
        Assert.Contains("0002_half_done.sql", exception.Message, StringComparison.Ordinal);
        Assert.False(await ScalarAsync<bool>("SELECT to_regclass('gadgets') IS NOT NULL"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM widgets"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT max(version) FROM schema_migrations"));

        migrations.WriteFile("0002_half_done.sql", "CREATE TABLE gadgets (id int);");
        var retry = await runner.MigrateAsync(ConnectionString);
        Assert.Equal("0002_half_done", Assert.Single(retry.Applied).Name);
    }

    [Fact]
    public async Task MigrateAsync_FunctionBodyContainsSemicolons_AppliesItWhole()
    {
        migrations.WriteFile(
            "0001_create_function.sql",
            """
            CREATE FUNCTION twice(n int) RETURNS int LANGUAGE plpgsql AS $body$
            BEGIN
                RETURN n * 2;
            END;
            $body$;
            CREATE TABLE after_function (id int);
            """);

        await new MigrationRunner(migrations.Path).MigrateAsync(ConnectionString);

        Assert.Equal(42, await ScalarAsync<int>("SELECT twice(21)"));
        Assert.True(await ScalarAsync<bool>("SELECT to_regclass('after_function') IS NOT NULL"));
    }

    [Fact]
    public async Task GetStatusAsync_UnmigratedDatabase_ReportsPendingWithoutCreatingAnything()
    {
        WriteWidgetMigrations();

        var status = await new MigrationRunner(migrations.Path).GetStatusAsync(ConnectionString);

        Assert.False(status.IsAtLatest);
        Assert.Equal(2, status.Pending.Count);
        Assert.Empty(status.Applied);
        Assert.False(await ScalarAsync<bool>("SELECT to_regclass('schema_migrations') IS NOT NULL"));
    }

    private void WriteWidgetMigrations()
    {
        migrations.WriteFile("0001_create_widgets.sql", "CREATE TABLE widgets (id int PRIMARY KEY);");
        migrations.WriteFile("0002_insert_first_widget.sql", "INSERT INTO widgets (id) VALUES (1);");
        migrations.WriteFile("README.md", "Not a migration: ignored.");
    }

    // Polls the server (no sleeping) until the condition holds; fails fast if a runner finished or failed early.
    private static async Task WaitUntilAsync(
        NpgsqlConnection connection, string condition, Task first, Task second, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Assert.False(first.IsCompleted || second.IsCompleted, "A runner finished while the lock was held by the test.");
            await using var command = new NpgsqlCommand(condition, connection);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return;
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return reader.GetFieldValue<T>(0);
    }
}
