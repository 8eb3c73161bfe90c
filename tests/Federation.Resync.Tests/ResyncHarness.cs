using Federation.Client;
using Federation.Ingest;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;
using Federation.Testing.Time;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Federation.Resync.Tests;

/// <summary>Re-sync wired as the host wires it (store, federation client, ingest, re-sync) over a test database, with a
/// fake clock and no HTTP endpoints of its own.</summary>
public sealed class ResyncHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly NpgsqlDataSource _dataSource;

    public ResyncHarness(string connectionString, string serverName, IDictionary<string, string?> settings)
    {
        Identity = new ServerIdentity(serverName, SigningKey.Generate("k1"));
        var values = new Dictionary<string, string?>(settings, StringComparer.Ordinal) { ["FederationClient:MaxRetries"] = "0" };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        _dataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Identity);
        services.AddSingleton(_dataSource);
        services.AddSingleton(new DagStore(_dataSource, Time));
        services.AddFederationClient(configuration);
        services.AddIngest(configuration);
        services.AddResync(configuration);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new();

    public ServerIdentity Identity { get; }

    public DagStore Store => Get<DagStore>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
