using Federation.Client;
using Federation.Ingest;
using Federation.Protocol.Keys;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Time;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Federation.Testing.Services;

/// <summary>
/// Services wired as the host wires them (store, federation client, ingest, and what the caller
/// adds) over a test database, with a fake clock and no HTTP endpoints of their own. The client does not retry
/// (<c>FederationClient:MaxRetries</c> 0) unless the settings say otherwise.
/// </summary>
public class ServiceHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly NpgsqlDataSource _dataSource;

    public ServiceHarness(
        string connectionString,
        string serverName,
        IEnumerable<KeyValuePair<string, string?>> settings,
        Action<IServiceCollection, IConfiguration> addServices)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(addServices);
        Identity = new ServerIdentity(serverName, SigningKey.Generate("k1"));
        var values = new Dictionary<string, string?>(StringComparer.Ordinal) { ["FederationClient:MaxRetries"] = "0" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        _dataSource = StoreDataSource.Create(connectionString);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(Identity);
        services.AddSingleton(_dataSource);
        services.AddSingleton(new DagStore(_dataSource, Time));
        services.AddFederationClient(configuration);
        services.AddIngest(configuration);
        addServices(services, configuration);
        _services = services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new();

    public ServerIdentity Identity { get; }

    public DagStore Store => Get<DagStore>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public IEnumerable<T> GetAll<T>() => _services.GetServices<T>();

    public virtual async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _dataSource.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
