namespace Federation.Storage.Migrations;

/// <summary>
/// Compares the files with what the database recorded, without touching the database, so the decision of what to
/// run (or to refuse) is one pure function shared by the runner and the read-only status check.
/// </summary>
internal sealed record MigrationPlan(IReadOnlyList<MigrationScript> Pending, IReadOnlyList<MigrationConflict> Conflicts)
{
    public static MigrationPlan Create(IReadOnlyList<MigrationScript> scripts, IReadOnlyList<AppliedMigration> applied)
    {
        var scriptsByVersion = scripts.ToDictionary(script => script.Version);
        var appliedByVersion = applied.ToDictionary(migration => migration.Version);
        var conflicts = new List<MigrationConflict>();

        foreach (var migration in applied.OrderBy(migration => migration.Version))
        {
            if (!scriptsByVersion.TryGetValue(migration.Version, out var script))
            {
                conflicts.Add(new MigrationConflict(
                    MigrationConflictReason.AppliedMigrationMissing,
                    migration.Version,
                    migration.Name + ".sql",
                    $"The database has applied migration {migration.Name}.sql, which is not in the migrations directory: "
                        + "it was migrated by a newer version of this program. Run that version, or restore from a backup."));
            }
            else if (!string.Equals(script.Checksum, migration.Checksum, StringComparison.Ordinal))
            {
                conflicts.Add(new MigrationConflict(
                    MigrationConflictReason.ChecksumMismatch,
                    migration.Version,
                    script.FileName,
                    $"Migration {script.FileName} was edited after it was applied (checksum {script.Checksum}, "
                        + $"recorded {migration.Checksum}). Shipped migrations must not change: revert the edit and add a new migration."));
            }
        }

        var pending = scripts.Where(script => !appliedByVersion.ContainsKey(script.Version)).ToList();
        var highestApplied = applied.Count == 0 ? (long?)null : applied.Max(migration => migration.Version);
        foreach (var script in pending.Where(script => script.Version < highestApplied))
        {
            conflicts.Add(new MigrationConflict(
                MigrationConflictReason.PendingBelowApplied,
                script.Version,
                script.FileName,
                $"Migration {script.FileName} is not applied but the database already has version {highestApplied}: "
                    + "migrations apply only in increasing order. Renumber it above the newest migration."));
        }

        return new MigrationPlan(pending, conflicts);
    }
}
