using Federation.Api.Tests.Client;
using Federation.Ingest.Queue;
using Federation.Local.Outbound;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests;

/// <summary>
/// Several of our own servers on loopback, each with its own database, naming each other as federation destinations.
/// Ports are picked before any starts, since each must know the others' addresses; a server can be restarted on its
/// port with its name, key and data files.
/// </summary>
public sealed class OurServers : IDisposable
{
    private readonly Dictionary<string, (PostgresDatabaseFixture Database, int Port)> _places = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FederationServerFactory> _servers = new(StringComparer.Ordinal);

    public OurServers(params (PostgresDatabaseFixture Database, string Name)[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        foreach (var (database, name) in servers)
        {
            _places[name] = (database, FreeLoopbackPort.Pick());
        }

        foreach (var (_, name) in servers)
        {
            _servers[name] = Configure(new FederationServerFactory(_places[name].Database, name));
        }

        foreach (var server in _servers.Values)
        {
            _ = server.CreateClient();
        }
    }

    public FederationServerFactory this[string name] => _servers[name];

    /// <summary>
    /// Stops <paramref name="name"/>, lets <paramref name="whileStopped"/> act on its database, and starts it again on
    /// the same port with the same signing key and recovery manifest.
    /// </summary>
    public async Task<FederationServerFactory> RestartAsync(string name, Func<PostgresDatabaseFixture, Task> whileStopped)
    {
        ArgumentNullException.ThrowIfNull(whileStopped);
        var old = _servers[name];
        var identity = old.Identity;
        var manifest = File.Exists(old.RecoveryManifestPath) ? await File.ReadAllBytesAsync(old.RecoveryManifestPath) : null;
        old.Dispose();
        await whileStopped(_places[name].Database);

        var restarted = Configure(new FederationServerFactory(_places[name].Database, name).UseIdentity(identity));
        if (manifest is not null)
        {
            await File.WriteAllBytesAsync(restarted.RecoveryManifestPath, manifest);
        }

        _servers[name] = restarted;
        _ = restarted.CreateClient();
        return restarted;
    }

    /// <summary>
    /// Completes when <paramref name="from"/> has delivered <paramref name="eventId"/> to <paramref name="to"/> and
    /// <paramref name="to"/> has processed what it queued for the room (/send only admits).
    /// </summary>
    public async Task DeliveredAndProcessedAsync(string from, string to, string roomId, string eventId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _servers[from].Services.GetRequiredService<OutboundPdus>().WaitUntilSentAsync(to, eventId, timeout.Token);
        await _servers[to].Services.GetRequiredService<InboundQueueWorker>().DrainedAsync(roomId, timeout.Token);
    }

    /// <summary><see cref="DeliveredAndProcessedAsync(string, string, string, string)"/> to every other server.</summary>
    public async Task DeliveredEverywhereAsync(string from, string roomId, string eventId)
    {
        foreach (var to in _servers.Keys.Where(n => n != from))
        {
            await DeliveredAndProcessedAsync(from, to, roomId, eventId);
        }
    }

    public void Dispose()
    {
        foreach (var server in _servers.Values)
        {
            server.Dispose();
        }
    }

    private FederationServerFactory Configure(FederationServerFactory server)
    {
        // The key is fixed before the server starts (else it makes its own), so that a restart can reuse it.
        _ = server.Identity;
        server.OverLoopback();
        foreach (var (other, place) in _places)
        {
            if (place.Port != _places[server.ServerName].Port)
            {
                server.Settings[$"FederationClient:Destinations:{other}"] = $"http://127.0.0.1:{place.Port}/";
            }
        }

        server.Settings["urls"] = $"http://127.0.0.1:{_places[server.ServerName].Port}";
        server.Settings["FederationClient:MaxRetries"] = "0";
        ClientSession.Configure(server);
        return server;
    }
}
