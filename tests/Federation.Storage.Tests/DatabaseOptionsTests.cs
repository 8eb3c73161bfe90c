namespace Federation.Storage.Tests;

public sealed class DatabaseOptionsTests
{
    [Fact]
    public void Validate_Defaults_HasNoErrorsAndUsesEmbeddedCluster()
    {
        var options = new DatabaseOptions();

        Assert.Empty(options.Validate());
        Assert.True(options.UsesEmbeddedCluster);
    }

    [Fact]
    public void Validate_PortOutOfRange_NamesTheConfigurationKey()
    {
        var options = new DatabaseOptions { EmbeddedPort = 70000 };

        Assert.Contains("Database:EmbeddedPort", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MalformedConnectionString_NamesTheConfigurationKey()
    {
        var options = new DatabaseOptions { ConnectionString = "Hots=db;Nonsense" };

        Assert.Contains("Database:ConnectionString", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConnectionStringWithoutHost_NamesTheConfigurationKey()
    {
        var options = new DatabaseOptions { ConnectionString = "Database=federation" };

        Assert.Contains("Database:ConnectionString", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_EmptyMigrationsDirectory_NamesTheConfigurationKey()
    {
        var options = new DatabaseOptions { MigrationsDirectory = " " };

        Assert.Contains("Database:MigrationsDirectory", Assert.Single(options.Validate()), StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveEmbeddedDataDirectory_RelativePath_IsUnderContentRoot()
    {
        var options = new DatabaseOptions();

        Assert.Equal(Path.Combine("/srv/federation", "data", "postgres"), options.ResolveEmbeddedDataDirectory("/srv/federation"));
    }
}
