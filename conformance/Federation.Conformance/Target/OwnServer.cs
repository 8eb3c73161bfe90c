using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Federation.Conformance.Target;

/// <summary>
/// Our own server, started in-process over a real loopback socket when the runner is given no <c>--target</c>: its own
/// signing key and, unless a connection string is given, its own embedded PostgreSQL cluster in a temporary
/// directory, both removed afterwards. The remotes are mapped by name to their loopback URLs
/// (<c>FederationClient:Destinations</c>), and timeouts are short so that stalling remotes cost seconds, not minutes.
/// </summary>
public sealed class OwnServer : WebApplicationFactory<Program>
{
    /// <summary>The name our server goes by in the suite.</summary>
    public const string Name = "target.test";

    private const string SharedSecret = "conformance-registration-secret";

    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);
    private readonly string _dataDirectory;

    public OwnServer(IReadOnlyDictionary<string, Uri> remotes, string? connectionString)
    {
        ArgumentNullException.ThrowIfNull(remotes);
        _dataDirectory = Path.Combine(Path.GetTempPath(), "federation-conformance-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            // As root the embedded cluster runs as the postgres user, which must be able to enter the directory.
            File.SetUnixFileMode(_dataDirectory, (UnixFileMode)0b111_101_101);
        }

        _settings["urls"] = "http://127.0.0.1:0";
        _settings["Server:ServerName"] = Name;
        _settings["Server:SigningKeyPath"] = Path.Combine(_dataDirectory, "signing.key");
        _settings["Resync:RecoveryManifestPath"] = Path.Combine(_dataDirectory, "recovery-manifest.json");
        _settings["Database:ConnectionString"] = connectionString ?? "";
        _settings["Database:EmbeddedDataDirectory"] = Path.Combine(_dataDirectory, "postgres");
        _settings["LocalUsers:RegistrationSharedSecret"] = SharedSecret;
        _settings["LocalUsers:PasswordHashIterations"] = "1000";
        _settings["FederationClient:MaxRetries"] = "0";
        _settings["FederationClient:AttemptTimeout"] = "00:00:03";
        // Scenarios make remotes fail on purpose; a breaker opening would spill into the next scenario.
        _settings["FederationClient:BreakerMinimumThroughput"] = "1000";
        _settings["FederationClient:BreakDuration"] = "00:00:01";
        _settings["Ingest:GapFillTimeout"] = "00:00:06";
        _settings["Ingest:QueuePollInterval"] = "00:00:00.500";
        _settings["OutboundFederation:RetryBaseDelay"] = "00:00:00.500";
        // Quiet by default: scenarios provoke failures the server logs as warnings. Set CONFORMANCE_SERVER_LOG to see them.
        _settings["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("CONFORMANCE_SERVER_LOG") ?? "None";
        foreach (var (name, address) in remotes)
        {
            _settings[$"FederationClient:Destinations:{name}"] = address.ToString();
        }

        // The server needs nothing from a source folder (migrations ship beside the binaries), so its content root is
        // our own output directory; the factory would otherwise look for the project folder beside the solution.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_FEDERATION_HOST", AppContext.BaseDirectory);
        UseKestrel();
    }

    /// <summary>Starts the server and describes it as a target.</summary>
    public TargetServer Start()
    {
        // With Kestrel the factory's client points at the real loopback listener.
        using var client = CreateClient();
        return new TargetServer(client.BaseAddress!, Name, SharedSecret);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Conformance");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary directory is not worth failing the run for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
