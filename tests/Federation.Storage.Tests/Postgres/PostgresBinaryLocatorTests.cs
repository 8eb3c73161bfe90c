using Federation.Storage.Postgres;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Postgres;

public sealed class PostgresBinaryLocatorTests : IDisposable
{
    private readonly TemporaryDirectory directory = new("locator-test");

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Locate_NothingInstalled_ThrowsNamingEveryPlaceSearched()
    {
        var emptyPathEntry = Directory.CreateDirectory(Path.Combine(directory.Path, "path")).FullName;
        var missingRoot = Path.Combine(directory.Path, "no-such-root");

        var exception = Assert.Throws<PostgresBinariesNotFoundException>(() => PostgresBinaryLocator.Locate([emptyPathEntry], missingRoot));

        Assert.Contains(emptyPathEntry, exception.Message, StringComparison.Ordinal);
        Assert.Contains(missingRoot, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Locate_SeveralVersionsInstalled_PicksTheHighestNumerically()
    {
        var root = Path.Combine(directory.Path, "postgresql");
        FakeInstall(Path.Combine(root, "9.6", "bin"));
        FakeInstall(Path.Combine(root, "15", "bin"));
        FakeInstall(Path.Combine(root, "13", "bin"));

        var binaries = PostgresBinaryLocator.Locate([], root);

        Assert.Equal(Path.Combine(root, "15", "bin"), binaries.BinDirectory);
    }

    [Fact]
    public void Locate_PathHasSymlinkToPgCtl_ReturnsTheRealBinDirectory()
    {
        var real = Path.Combine(directory.Path, "real", "bin");
        FakeInstall(real);
        var pathEntry = Directory.CreateDirectory(Path.Combine(directory.Path, "path")).FullName;
        File.CreateSymbolicLink(Path.Combine(pathEntry, "pg_ctl"), Path.Combine(real, "pg_ctl"));

        var binaries = PostgresBinaryLocator.Locate([pathEntry], Path.Combine(directory.Path, "none"));

        Assert.Equal(real, binaries.BinDirectory);
    }

    [Fact]
    public void Locate_MachineDefaults_FindsTheInstalledServer()
    {
        var binaries = PostgresBinaryLocator.Locate();

        Assert.True(binaries.IsComplete);
    }

    private static void FakeInstall(string binDirectory)
    {
        Directory.CreateDirectory(binDirectory);
        foreach (var program in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.WriteAllText(Path.Combine(binDirectory, program), string.Empty);
        }
    }
}
