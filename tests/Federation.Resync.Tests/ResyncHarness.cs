using Federation.Testing.Services;

namespace Federation.Resync.Tests;

/// <summary>Re-sync wired as the host wires it (store, federation client, ingest, re-sync) over a test database, with a
/// fake clock and no HTTP endpoints of its own.</summary>
public sealed class ResyncHarness(string connectionString, string serverName, IDictionary<string, string?> settings)
    : ServiceHarness(connectionString, serverName, settings, (services, configuration) => services.AddResync(configuration));
