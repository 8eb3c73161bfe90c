namespace Federation.Storage.Postgres;

/// <summary>
/// Thrown when no complete PostgreSQL installation could be found; the message lists every place searched
/// so the operator can install the server or point the configuration at it.
/// </summary>
public sealed class PostgresBinariesNotFoundException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public PostgresBinariesNotFoundException()
        : this("No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found.")
    {
    }

    /// <summary>Creates the exception with a message that should name the places searched.</summary>
    public PostgresBinariesNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the failure that stopped the search.</summary>
    public PostgresBinariesNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception listing the directories that were searched.</summary>
    public PostgresBinariesNotFoundException(IReadOnlyList<string> searchedDirectories)
        : base(BuildMessage(searchedDirectories))
    {
        SearchedDirectories = searchedDirectories;
    }

    /// <summary>The directories that were searched, in search order.</summary>
    public IReadOnlyList<string> SearchedDirectories { get; } = [];

    private static string BuildMessage(IReadOnlyList<string> searched)
    {
        var places = searched.Count == 0 ? "(nothing: PATH is empty and no versioned install root exists)" : string.Join(", ", searched);
        return "No PostgreSQL server binaries (initdb, pg_ctl, postgres together in one directory) were found. "
            + $"Searched: {places}. Install PostgreSQL (e.g. apt-get install postgresql) or configure the bin directory.";
    }
}
