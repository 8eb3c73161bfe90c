using Federation.Storage.Migrations;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Migrations;

public sealed class MigrationScriptLoaderTests : IDisposable
{
    private readonly TemporaryDirectory migrations = new("loader-test");

    public void Dispose() => migrations.Dispose();

    [Fact]
    public void LoadDirectory_FilesOutOfOrderWithReadme_ReturnsSqlFilesInNumericOrder()
    {
        migrations.WriteFile("0010_ten.sql", "SELECT 10;");
        migrations.WriteFile("0002_two.sql", "SELECT 2;");
        migrations.WriteFile("README.md", "rules");

        var scripts = MigrationScriptLoader.LoadDirectory(migrations.Path);

        Assert.Equal([2L, 10L], scripts.Select(script => script.Version));
        Assert.Equal("0002_two", scripts[0].Name);
    }

    [Fact]
    public void LoadDirectory_MisnamedSqlFile_ThrowsNamingIt()
    {
        migrations.WriteFile("add-users.sql", "SELECT 1;");

        var exception = Assert.Throws<InvalidDataException>(() => MigrationScriptLoader.LoadDirectory(migrations.Path));

        Assert.Contains("add-users.sql", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_TwoFilesWithOneVersion_ThrowsNamingBoth()
    {
        migrations.WriteFile("0003_users.sql", "SELECT 1;");
        migrations.WriteFile("0003_rooms.sql", "SELECT 2;");

        var exception = Assert.Throws<InvalidDataException>(() => MigrationScriptLoader.LoadDirectory(migrations.Path));

        Assert.Contains("0003_users.sql", exception.Message, StringComparison.Ordinal);
        Assert.Contains("0003_rooms.sql", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadDirectory_MissingDirectory_ThrowsNamingIt()
    {
        var missing = Path.Combine(migrations.Path, "absent");

        var exception = Assert.Throws<DirectoryNotFoundException>(() => MigrationScriptLoader.LoadDirectory(missing));

        Assert.Contains(missing, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeChecksum_CrlfAndLfLineEndings_AreEqual()
    {
        Assert.Equal(
            MigrationScriptLoader.ComputeChecksum("CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n"),
            MigrationScriptLoader.ComputeChecksum("CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n"));
    }

    [Fact]
    public void ComputeChecksum_AnyEdit_ChangesIt()
    {
        Assert.NotEqual(
            MigrationScriptLoader.ComputeChecksum("CREATE TABLE a (id int);"),
            MigrationScriptLoader.ComputeChecksum("CREATE TABLE a (id bigint);"));
    }
}
