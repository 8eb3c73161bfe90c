using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Joins;

/// <summary>Two fresh databases for one test class: one for each of two of our servers.</summary>
public sealed class TwoDatabasesFixture : IAsyncLifetime
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
