namespace Federation.StateResolution.Tests.Support;

/// <summary>Finds the repository root: the first folder above the test binaries that holds Federation.sln.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Federation.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Federation.sln above {AppContext.BaseDirectory}");
    }
}
