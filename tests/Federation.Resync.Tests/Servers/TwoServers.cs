using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;

namespace Federation.Resync.Tests.Servers;

/// <summary>Two of our servers on loopback, each on its own database, naming each other as federation destinations.</summary>
public sealed class TwoServers : IDisposable
{
    public TwoServers(PostgresDatabaseFixture first, PostgresDatabaseFixture second, string firstName, string secondName)
    {
        var firstPort = FreeLoopbackPort.Pick();
        var secondPort = FreeLoopbackPort.Pick();
        Ours = new OurServer(first, firstName, firstPort);
        Peer = new OurServer(second, secondName, secondPort);
        Ours.Knows(secondName, secondPort);
        Peer.Knows(firstName, firstPort);
        _ = Ours.CreateClient();
        _ = Peer.CreateClient();
    }

    public OurServer Ours { get; }

    public OurServer Peer { get; }

    public void Dispose()
    {
        Ours.Dispose();
        Peer.Dispose();
    }
}
