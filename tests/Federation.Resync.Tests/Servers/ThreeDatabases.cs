using Federation.Testing.Postgres;

namespace Federation.Resync.Tests.Servers;

/// <summary>Three fresh databases for one test class, one per server.</summary>
public sealed class ThreeDatabases : IAsyncLifetime
{
    public PostgresDatabaseFixture First { get; } = new();

    public PostgresDatabaseFixture Second { get; } = new();

    public PostgresDatabaseFixture Third { get; } = new();

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        await Second.InitializeAsync();
        await Third.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await Third.DisposeAsync();
    }
}
