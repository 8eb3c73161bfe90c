using Federation.Testing.Postgres;

namespace Federation.Resync.Tests.Servers;

/// <summary>Two fresh databases for one test class, one per server.</summary>
public sealed class TwoDatabases : IAsyncLifetime
{
    public PostgresDatabaseFixture First { get; } = new();

    public PostgresDatabaseFixture Second { get; } = new();

    public async Task InitializeAsync()
    {
        await First.InitializeAsync();
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
    }
}
