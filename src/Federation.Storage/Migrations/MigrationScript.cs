namespace Federation.Storage.Migrations;

/// <summary>One migration file, <c>NNNN_description.sql</c>, as read from the migrations directory.</summary>
/// <param name="Version">The leading number; migrations apply in ascending order of it.</param>
/// <param name="Name">The file name without the <c>.sql</c> extension, e.g. <c>0001_remote_server_keys</c>; recorded so a
/// database can say which file each applied version came from.</param>
/// <param name="FilePath">Where the file was read from, for error messages.</param>
/// <param name="Sql">The file's text, run as-is inside a transaction.</param>
/// <param name="Checksum">Lower-case hex SHA-256 of the text with line endings normalised to LF, so a checkout with CRLF line
/// endings does not look like an edited migration but any real edit does.</param>
public sealed record MigrationScript(long Version, string Name, string FilePath, string Sql, string Checksum)
{
    /// <summary>The file name, e.g. <c>0001_remote_server_keys.sql</c>.</summary>
    public string FileName => Name + ".sql";
}
