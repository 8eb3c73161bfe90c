using System.Globalization;
using System.Text;

namespace Federation.Storage.Postgres;

/// <summary>
/// The settings file the embedded cluster rewrites at every start (the port can change each time) and that
/// postgresql.conf includes, so an operator's own edits to postgresql.conf are never overwritten.
/// </summary>
internal static class ManagedSettingsFile
{
    public const string FileName = "federation.conf";

    // A Unix socket path must fit in sockaddr_un.sun_path (108 bytes on Linux) with "/.s.PGSQL.65535.lock" appended.
    private const int MaxSocketDirectoryBytes = 80;

    /// <summary>The line initdb's postgresql.conf gets, once, to pull this file in.</summary>
    public static string IncludeDirective =>
        $"{Environment.NewLine}# Added by Federation: settings it manages at each start.{Environment.NewLine}"
        + $"include_if_exists = '{FileName}'{Environment.NewLine}";

    public static string Render(EmbeddedPostgresOptions options, string dataDirectory, int port)
    {
        // Sockets live in the private data directory so nothing needs /var/run/postgresql; a path too long for a
        // socket name turns Unix sockets off instead (we connect over TCP anyway).
        var socketDirectory = Encoding.UTF8.GetByteCount(dataDirectory) <= MaxSocketDirectoryBytes ? dataDirectory : string.Empty;
        var settings = new StringBuilder()
            .AppendLine("# Rewritten by Federation at every start of its embedded cluster; edit postgresql.conf instead.")
            .AppendLine("listen_addresses = '127.0.0.1'")
            .AppendLine(CultureInfo.InvariantCulture, $"port = {port}")
            .AppendLine(CultureInfo.InvariantCulture, $"unix_socket_directories = {Quote(socketDirectory)}");
        if (options.DisableDurability)
        {
            settings
                .AppendLine("fsync = off")
                .AppendLine("synchronous_commit = off")
                .AppendLine("full_page_writes = off");
        }

        return settings.ToString();
    }

    // postgresql.conf strings are single-quoted, with '' for a quote and backslash escapes.
    private static string Quote(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'";
}
