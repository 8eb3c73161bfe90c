using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Federation.Storage.Migrations;

/// <summary>Reads and checks the migration files of a directory.</summary>
public static partial class MigrationScriptLoader
{
    /// <summary>
    /// Returns every <c>*.sql</c> file of <paramref name="directory"/> in version order. Other files (README.md) are
    /// ignored; an <c>.sql</c> file that does not match <c>NNNN_description.sql</c>, or two files with one version,
    /// are errors, because silently skipping or picking one would leave the schema different from what was reviewed.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is misnamed or a version is used twice; the message names the files.</exception>
    public static IReadOnlyList<MigrationScript> LoadDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var fullPath = Path.GetFullPath(directory);
        if (!Directory.Exists(fullPath))
        {
            throw new DirectoryNotFoundException($"The migrations directory '{fullPath}' does not exist.");
        }

        var scripts = new List<MigrationScript>();
        foreach (var file in Directory.EnumerateFiles(fullPath, "*.sql", SearchOption.TopDirectoryOnly))
        {
            scripts.Add(Load(file));
        }

        var duplicate = scripts.GroupBy(script => script.Version).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException(
                $"Migrations {string.Join(" and ", duplicate.Select(script => script.FileName).Order(StringComparer.Ordinal))} "
                + $"in '{fullPath}' share version {duplicate.Key}; renumber the newer one.");
        }

        return [.. scripts.OrderBy(script => script.Version)];
    }

    /// <summary>The checksum recorded for a migration's text: SHA-256 of its UTF-8 bytes after CRLF becomes LF, as hex.</summary>
    public static string ComputeChecksum(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var normalised = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

    private static MigrationScript Load(string file)
    {
        var fileName = Path.GetFileName(file);
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new InvalidDataException(
                $"Migration file '{file}' is not named NNNN_description.sql (digits, underscore, then letters, digits, '_' or '-').");
        }

        var version = long.Parse(match.Groups["version"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
        // ReadAllText drops a UTF-8 byte-order mark, so an editor adding one does not change the checksum.
        var sql = File.ReadAllText(file, Encoding.UTF8);
        return new MigrationScript(version, Path.GetFileNameWithoutExtension(fileName), file, sql, ComputeChecksum(sql));
    }

    [GeneratedRegex(@"^(?<version>[0-9]{1,18})_(?<description>[A-Za-z0-9_\-]+)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
