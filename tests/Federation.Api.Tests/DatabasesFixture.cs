using Federation.Testing.Postgres;

namespace Federation.Api.Tests;

/// <summary>Fresh databases for one test class, one for each of several of our servers.</summary>
public abstract class DatabasesFixture(int count) : IAsyncLifetime
{
    private readonly PostgresDatabaseFixture[] _databases = [.. Enumerable.Range(0, count).Select(_ => new PostgresDatabaseFixture())];

    public PostgresDatabaseFixture this[int index] => _databases[index];

    public async Task InitializeAsync()
    {
        foreach (var database in _databases)
        {
            await database.InitializeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }
    }
}
