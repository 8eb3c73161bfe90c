using System.Text.RegularExpressions;
using Npgsql;

namespace Federation.Storage.Postgres;

/// <summary>
/// Creates and drops databases on any server we hold a privileged connection to (the embedded cluster, or an
/// existing server given to the tests), so both share one careful implementation.
/// </summary>
public static partial class PostgresDatabaseAdmin
{
    /// <summary>
    /// Creates <paramref name="databaseName"/> unless it already exists. Safe to call on every start and from
    /// concurrent callers.
    /// </summary>
    /// <param name="adminConnectionString">Connection to any database on the server, as a role allowed to create databases.</param>
    /// <param name="databaseName">Lower-case letters, digits and underscores, starting with a letter or underscore, at most 63
    /// characters: such names need no quoting and cannot smuggle SQL, since CREATE DATABASE takes no parameters.</param>
    /// <param name="cancellationToken">Cancels the wait for the server.</param>
    /// <returns>True if this call created the database, false if it was already there.</returns>
    public static async Task<bool> CreateDatabaseIfMissingAsync(
        string adminConnectionString, string databaseName, CancellationToken cancellationToken = default)
    {
        EnsureValidName(databaseName);
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = databaseName });
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                return false;
            }
        }

        try
        {
#pragma warning disable CA2100 // The name was checked against a strict pattern above; DDL cannot take parameters.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName}\"", connection);
#pragma warning restore CA2100
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException exception)
            when (exception.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another caller won the race between our check and our CREATE.
            return false;
        }
    }

    /// <summary>
    /// Drops <paramref name="databaseName"/> if it exists, disconnecting any sessions still using it (tests often
    /// leave pooled connections open).
    /// </summary>
    /// <param name="adminConnectionString">Connection to another database on the same server, as its owner or a superuser.</param>
    /// <param name="databaseName">Same rules as for <see cref="CreateDatabaseIfMissingAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the wait for the server.</param>
    public static async Task DropDatabaseIfExistsAsync(
        string adminConnectionString, string databaseName, CancellationToken cancellationToken = default)
    {
        EnsureValidName(databaseName);
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
#pragma warning disable CA2100 // The name was checked against a strict pattern above; DDL cannot take parameters.
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)", connection);
#pragma warning restore CA2100
        await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="databaseName"/> is a name these methods accept.</summary>
    public static bool IsValidDatabaseName(string databaseName) =>
        !string.IsNullOrEmpty(databaseName) && databaseName.Length <= 63 && SafeName().IsMatch(databaseName);

    private static void EnsureValidName(string databaseName)
    {
        if (!IsValidDatabaseName(databaseName))
        {
            throw new ArgumentException(
                $"Database name '{databaseName}' must be 1-63 characters of a-z, 0-9 and _, not starting with a digit.",
                nameof(databaseName));
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeName();
}
