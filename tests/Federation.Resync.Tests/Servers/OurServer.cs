using Federation.Protocol.Keys;
using Federation.Testing.Postgres;
using Federation.Testing.Time;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Federation.Resync.Tests.Servers;

/// <summary>
/// Our whole server in-process on a real socket (so X-Matrix signatures see the exact request target), on its own
/// test database, with a fake clock, a record of the requests it receives, a signing key fixed before it starts and the periodic exchange off (tests drive it).
/// </summary>
public sealed class OurServer : WebApplicationFactory<Program>
{
    private readonly PostgresDatabaseFixture _database;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("federation-resync-").FullName;
    private readonly Dictionary<string, string> _settings = new(StringComparer.Ordinal);

    public OurServer(PostgresDatabaseFixture database, string serverName, int port)
    {
        _database = database;
        Identity = new ServerIdentity(serverName, SigningKey.Generate("test"));
        File.WriteAllText(SigningKeyPath, Identity.SigningKey.ToKeyFileLine());
        _settings["urls"] = $"http://127.0.0.1:{port}";
        UseKestrel();
    }

    public ServerIdentity Identity { get; }

    public FakeTimeProvider Time { get; } = new();

    public RequestRecorder Requests { get; } = new();

    private string SigningKeyPath => Path.Combine(_dataDirectory, "signing.key");

    /// <summary>Names <paramref name="serverName"/> as reachable on loopback <paramref name="port"/>.</summary>
    public void Knows(string serverName, int port) => _settings[$"FederationClient:Destinations:{serverName}"] = $"http://127.0.0.1:{port}/";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Server:ServerName", Identity.ServerName);
        builder.UseSetting("Server:SigningKeyPath", SigningKeyPath);
        builder.UseSetting("Resync:RecoveryManifestPath", Path.Combine(_dataDirectory, "recovery-manifest.json"));
        builder.UseSetting("Database:ConnectionString", _database.ConnectionString);
        builder.UseSetting("FederationClient:MaxRetries", "0");
        builder.UseSetting("Resync:Reconciliation:PeriodicEnabled", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time));
            services.AddSingleton<IStartupFilter>(new RecordingStartupFilter(Requests));
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
