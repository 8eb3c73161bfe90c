namespace Federation.Storage.Migrations;

/// <summary>Why a database and a migrations directory disagree in a way the runner will not paper over.</summary>
public enum MigrationConflictReason
{
    /// <summary>
    /// The database has applied a migration that has no file: it was migrated by newer code. Running older code
    /// against a newer schema risks corrupting data it does not understand.
    /// </summary>
    AppliedMigrationMissing,

    /// <summary>
    /// A file's checksum differs from the one recorded when it was applied: a shipped migration was edited, so
    /// databases migrated before and after the edit have different schemas.
    /// </summary>
    ChecksumMismatch,

    /// <summary>
    /// A pending file is numbered below a migration already applied (typically two branches each added one):
    /// applying it out of order would give this database a different history from fresh ones. Renumber it.
    /// </summary>
    PendingBelowApplied,
}
