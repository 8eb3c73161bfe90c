using Federation.Protocol.Keys;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Federation.Ingest.Benchmarks;

/// <summary>
/// Our server in-process over a real loopback Kestrel socket (X-Matrix signatures cover the exact request target), on
/// the benchmark's database, with the system clock and its own key file in a temporary directory.
/// </summary>
public sealed class BenchServer : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string> _settings;

    public BenchServer(string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        _connectionString = connectionString;
        _settings = settings;
        // A console app gets no MvcTestingAppManifest.json; this is the factory's other way to find the content root.
        Environment.SetEnvironmentVariable(
            "ASPNETCORE_TEST_CONTENTROOT_FEDERATION_HOST", Path.Combine(RepositoryLayout.RepositoryRoot, "src", "Federation.Host"));
        Identity = new ServerIdentity("test.example", SigningKey.Generate("bench"));
        File.WriteAllText(SigningKeyPath, Identity.SigningKey.ToKeyFileLine());
        UseKestrel();
    }

    public ServerIdentity Identity { get; }

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("federation-ingest-bench-").FullName;

    private string SigningKeyPath => Path.Combine(DataDirectory, "signing.key");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Benchmark");
        builder.UseSetting("urls", "http://127.0.0.1:0");
        builder.UseSetting("Server:ServerName", Identity.ServerName);
        builder.UseSetting("Server:SigningKeyPath", SigningKeyPath);
        builder.UseSetting("Resync:RecoveryManifestPath", Path.Combine(DataDirectory, "recovery-manifest.json"));
        builder.UseSetting("Database:ConnectionString", _connectionString);
        // One information line per event would measure the console, not the pipeline.
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Background hole repair would fill the holes the outcome check expects ingest to leave, and add its own work.
        builder.UseSetting("Resync:Holes:Enabled", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
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
