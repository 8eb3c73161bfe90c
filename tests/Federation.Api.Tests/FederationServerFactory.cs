using Federation.Protocol.Keys;
using Federation.Testing.Postgres;
using Federation.Testing.Time;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Federation.Api.Tests;

/// <summary>
/// Our server in-process, on a real test database, with a fake clock and its own key file in a temporary directory.
/// </summary>
public sealed class FederationServerFactory(PostgresDatabaseFixture database, string serverName = "test.example")
    : WebApplicationFactory<Program>
{
    private ServerIdentity? _identity;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("federation-api-").FullName;

    /// <summary>
    /// The server's name and signing key, fixed before it starts (its key file is written with this key), so tests can
    /// build events signed by the server's own users.
    /// </summary>
    public ServerIdentity Identity
    {
        get
        {
            if (_identity is null)
            {
                _identity = new ServerIdentity(serverName, SigningKey.Generate("test"));
                File.WriteAllText(SigningKeyPath, _identity.SigningKey.ToKeyFileLine());
            }

            return _identity;
        }
    }

    public string ServerName => serverName;

    public FakeTimeProvider Time { get; } = new();

    public string SigningKeyPath => Path.Combine(DataDirectory, "signing.key");

    public string RecoveryManifestPath => Path.Combine(DataDirectory, "recovery-manifest.json");

    public Dictionary<string, string?> Settings { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts with <paramref name="identity"/> (a restarted server's name and key) instead of a new key.</summary>
    public FederationServerFactory UseIdentity(ServerIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (identity.ServerName != serverName || _identity is not null)
        {
            throw new InvalidOperationException("The identity is fixed once, for this server's name.");
        }

        _identity = identity;
        File.WriteAllText(SigningKeyPath, identity.SigningKey.ToKeyFileLine());
        return this;
    }

    /// <summary>
    /// Serves over a real loopback socket instead of the in-memory test server, so that requests keep their exact
    /// request target (percent-encoding included), which X-Matrix signatures cover.
    /// </summary>
    public FederationServerFactory OverLoopback()
    {
        Settings["urls"] = "http://127.0.0.1:0";
        UseKestrel();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Server:ServerName", serverName);
        builder.UseSetting("Server:SigningKeyPath", SigningKeyPath);
        builder.UseSetting("Resync:RecoveryManifestPath", RecoveryManifestPath);
        builder.UseSetting("Database:ConnectionString", database.ConnectionString);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}
