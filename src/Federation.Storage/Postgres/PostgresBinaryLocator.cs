using System.Globalization;

namespace Federation.Storage.Postgres;

/// <summary>
/// Finds a PostgreSQL installation so the embedded cluster needs no configuration on a typical Linux machine.
/// </summary>
public static class PostgresBinaryLocator
{
    /// <summary>Where Debian and Ubuntu install each major version side by side (<c>/usr/lib/postgresql/15/bin</c>).</summary>
    public const string DebianVersionedRoot = "/usr/lib/postgresql";

    /// <summary>
    /// Returns <paramref name="explicitBinDirectory"/> when given; otherwise the first directory on <c>PATH</c> whose
    /// <c>pg_ctl</c> (after following symlinks) sits beside <c>initdb</c> and <c>postgres</c>; otherwise the highest
    /// version under <see cref="DebianVersionedRoot"/>.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">Nothing complete was found; the message names every place searched.</exception>
    public static PostgresBinaries Locate(string? explicitBinDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitBinDirectory))
        {
            var explicitBinaries = new PostgresBinaries(Path.GetFullPath(explicitBinDirectory));
            return explicitBinaries.IsComplete
                ? explicitBinaries
                : throw new PostgresBinariesNotFoundException([explicitBinaries.BinDirectory]);
        }

        var pathDirectories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Locate(pathDirectories, DebianVersionedRoot);
    }

    /// <summary>The search itself, with its inputs passed in so tests can point it at empty places.</summary>
    internal static PostgresBinaries Locate(IEnumerable<string> pathDirectories, string versionedRoot)
    {
        var searched = new List<string>();
        foreach (var directory in pathDirectories)
        {
            searched.Add(directory);
            var found = FromPathDirectory(directory);
            if (found is not null)
            {
                return found;
            }
        }

        foreach (var binDirectory in VersionedBinDirectoriesNewestFirst(versionedRoot))
        {
            searched.Add(binDirectory);
            var candidate = new PostgresBinaries(binDirectory);
            if (candidate.IsComplete)
            {
                return candidate;
            }
        }

        if (!Directory.Exists(versionedRoot))
        {
            searched.Add(Path.Combine(versionedRoot, "*", "bin") + " (does not exist)");
        }

        throw new PostgresBinariesNotFoundException(searched);
    }

    // PATH often holds symlinks (e.g. /usr/local/bin/pg_ctl); the real directory is the one that has `postgres` too.
    private static PostgresBinaries? FromPathDirectory(string directory)
    {
        var pgCtl = Path.Combine(directory, PostgresBinaries.ExecutableName("pg_ctl"));
        if (!File.Exists(pgCtl))
        {
            return null;
        }

        var target = new FileInfo(pgCtl).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(pgCtl);
        var candidate = new PostgresBinaries(Path.GetDirectoryName(target)!);
        return candidate.IsComplete ? candidate : null;
    }

    private static IEnumerable<string> VersionedBinDirectoriesNewestFirst(string versionedRoot)
    {
        if (!Directory.Exists(versionedRoot))
        {
            return [];
        }

        return Directory.GetDirectories(versionedRoot)
            .Select(directory => (Directory: directory, Version: ParseVersion(Path.GetFileName(directory))))
            .Where(entry => entry.Version is not null)
            .OrderByDescending(entry => entry.Version)
            .Select(entry => Path.Combine(entry.Directory, "bin"));
    }

    // Numeric, not ordinal: "9.6" must sort below "15".
    private static Version? ParseVersion(string name)
    {
        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            return new Version(major, 0);
        }

        return Version.TryParse(name, out var version) ? version : null;
    }
}
