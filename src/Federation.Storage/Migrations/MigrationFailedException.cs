namespace Federation.Storage.Migrations;

/// <summary>
/// Thrown when a migration's SQL fails. Its transaction was rolled back and it was not recorded, so the database
/// is as it was after the previous migration, and the fixed file can simply be run again.
/// </summary>
public sealed class MigrationFailedException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public MigrationFailedException()
        : this("A migration failed and was rolled back.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MigrationFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the database error.</summary>
    public MigrationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file that failed and wrapping the database error.</summary>
    public MigrationFailedException(MigrationScript script, Exception innerException)
        : base($"Migration {script?.FileName} failed and was rolled back: {innerException?.Message}", innerException)
    {
        FileName = script?.FileName;
        Version = script?.Version;
    }

    /// <summary>The failed migration's file name, when known.</summary>
    public string? FileName { get; }

    /// <summary>The failed migration's version, when known.</summary>
    public long? Version { get; }
}
