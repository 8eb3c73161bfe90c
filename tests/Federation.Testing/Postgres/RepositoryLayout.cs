namespace Federation.Testing.Postgres;

/// <summary>
/// Finds files of the source tree from a test's output directory, so tests use the real migrations rather than
/// copies that could drift.
/// </summary>
public static class RepositoryLayout
{
    private const string SolutionFileName = "Federation.sln";

    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The directory holding Federation.sln, found by walking up from <see cref="AppContext.BaseDirectory"/>.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>The repository's migrations/ directory.</summary>
    public static string MigrationsDirectory => Path.Combine(RepositoryRoot, "migrations");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No {SolutionFileName} found in '{AppContext.BaseDirectory}' or any parent; "
                + "tests must run from a build inside the repository.");
    }
}
