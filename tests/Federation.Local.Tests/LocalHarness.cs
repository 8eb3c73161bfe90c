using Federation.Client;
using Federation.Ingest;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;
using Federation.Testing.Time;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Federation.Local.Tests;

/// <summary>
/// The local side wired as the host wires it (federation client, ingest, local services) over a test database, with a
/// fake clock, without HTTP endpoints. The outbound sender runs once <see cref="StartSenderAsync"/> is called.
/// </summary>
public sealed class LocalHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly NpgsqlDataSource _dataSource;
    private IHostedService[] _started = [];

    public LocalHarness(string connectionString, string serverName = "local.test", IDictionary<string, string?>? settings = null)
    {
        Identity = new ServerIdentity(serverName, SigningKey.Generate("k1"));
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["FederationClient:MaxRetries"] = "0",
            ["LocalUsers:RegistrationSharedSecret"] = "a-test-registration-secret",
            ["LocalUsers:PasswordHashIterations"] = "1000",
            ["OutboundFederation:RetryBaseDelay"] = "00:00:10",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

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
        services.AddFederationLocal(configuration);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new();

    public ServerIdentity Identity { get; }

    public string User(string localpart) => $"@{localpart}:{Identity.ServerName}";

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Starts the hosted services (the outbound sender).</summary>
    public async Task StartSenderAsync()
    {
        _started = [.. _services.GetServices<IHostedService>()];
        foreach (var service in _started)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}
