namespace Federation.Storage.Postgres;

/// <summary>
/// Thrown when the embedded cluster could not be initialised or started. The message quotes the command's output
/// and the tail of the server log, because that is where PostgreSQL explains what went wrong.
/// </summary>
public sealed class EmbeddedPostgresStartException : Exception
{
    /// <summary>Creates the exception with a generic message.</summary>
    public EmbeddedPostgresStartException()
        : this("The embedded PostgreSQL cluster could not be started.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public EmbeddedPostgresStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the underlying failure.</summary>
    public EmbeddedPostgresStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the server log's last lines appended to the message.</summary>
    public EmbeddedPostgresStartException(string message, string logTail)
        : base(string.IsNullOrWhiteSpace(logTail)
            ? message
            : message + Environment.NewLine + "Server log tail:" + Environment.NewLine + logTail)
    {
        LogTail = logTail;
    }

    /// <summary>The last lines the server logged during the failed attempt; empty if it logged nothing.</summary>
    public string LogTail { get; } = string.Empty;
}
