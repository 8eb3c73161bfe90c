namespace Federation.Storage.Migrations;

/// <summary>A read-only comparison of a database with the migrations directory, e.g. for a readiness probe.</summary>
/// <param name="Applied">Migrations the database records as applied.</param>
/// <param name="Pending">Migrations in the directory that the database has not applied.</param>
/// <param name="Conflicts">Disagreements that would make <see cref="MigrationRunner.MigrateAsync"/> refuse.</param>
public sealed record SchemaStatus(
    IReadOnlyList<AppliedMigration> Applied,
    IReadOnlyList<MigrationScript> Pending,
    IReadOnlyList<MigrationConflict> Conflicts)
{
    /// <summary>True when every file is applied unchanged and the database has nothing the files lack.</summary>
    public bool IsAtLatest => Pending.Count == 0 && Conflicts.Count == 0;
}
