using Federation.Api.Tests.Client;
using Federation.Ingest.Queue;
using Federation.Local.Outbound;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Tests.Joins;

/// <summary>
/// Two of our own servers on loopback, each with its own database, naming each other as federation destinations.
/// Ports are picked before either starts, since each must know the other's address.
/// </summary>
public sealed class TwoOfOurServers : IDisposable
{
    public TwoOfOurServers(PostgresDatabaseFixture first, PostgresDatabaseFixture second, string firstName, string secondName)
    {
        var firstPort = FreeLoopbackPort.Pick();
        var secondPort = FreeLoopbackPort.Pick();
        First = Configure(new FederationServerFactory(first, firstName), firstPort, secondName, secondPort);
        Second = Configure(new FederationServerFactory(second, secondName), secondPort, firstName, firstPort);
        _ = First.CreateClient();
        _ = Second.CreateClient();
    }

    public FederationServerFactory First { get; }

    public FederationServerFactory Second { get; }

    /// <summary>
    /// Completes when <paramref name="from"/> has delivered <paramref name="eventId"/> to <paramref name="to"/> (named
    /// <paramref name="toName"/>) and <paramref name="to"/> has processed what it queued for the room (/send only admits).
    /// </summary>
    public static async Task DeliveredAndProcessedAsync(
        FederationServerFactory from, FederationServerFactory to, string toName, string roomId, string eventId)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await from.Services.GetRequiredService<OutboundPdus>().WaitUntilSentAsync(toName, eventId, timeout.Token);
        await to.Services.GetRequiredService<InboundQueueWorker>().DrainedAsync(roomId, timeout.Token);
    }

    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
    }

    private static FederationServerFactory Configure(FederationServerFactory server, int port, string otherName, int otherPort)
    {
        server.OverLoopback();
        server.Settings["urls"] = $"http://127.0.0.1:{port}";
        server.Settings[$"FederationClient:Destinations:{otherName}"] = $"http://127.0.0.1:{otherPort}/";
        server.Settings["FederationClient:MaxRetries"] = "0";
        ClientSession.Configure(server);
        return server;
    }
}
