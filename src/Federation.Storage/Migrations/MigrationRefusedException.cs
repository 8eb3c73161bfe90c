namespace Federation.Storage.Migrations;

/// <summary>
/// Thrown, before anything is changed, when the database's migration history disagrees with the files (a newer
/// schema, an edited migration, or one out of order). Guessing in those cases can corrupt data, so we stop.
/// </summary>
public sealed class MigrationRefusedException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public MigrationRefusedException()
        : this("The database's migration history does not match the migrations directory.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MigrationRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping an underlying failure.</summary>
    public MigrationRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception from the conflicts found; the message names every file involved.</summary>
    public MigrationRefusedException(string migrationsDirectory, IReadOnlyList<MigrationConflict> conflicts)
        : base($"Refusing to migrate the database with '{migrationsDirectory}': "
            + string.Join(" ", (conflicts ?? []).Select(conflict => conflict.Description)))
    {
        Conflicts = conflicts ?? [];
    }

    /// <summary>Every disagreement found, in version order within each kind.</summary>
    public IReadOnlyList<MigrationConflict> Conflicts { get; } = [];
}
