using Federation.Testing.Homeservers;

namespace Federation.Resync.Tests.Servers;

/// <summary>Three of our servers on loopback, each on its own database, every one naming the others as federation
/// destinations.</summary>
public sealed class ThreeServers : IDisposable
{
    public ThreeServers(ThreeDatabases databases, string firstName, string secondName, string thirdName)
    {
        ArgumentNullException.ThrowIfNull(databases);
        var ports = new[] { FreeLoopbackPort.Pick(), FreeLoopbackPort.Pick(), FreeLoopbackPort.Pick() };
        var names = new[] { firstName, secondName, thirdName };
        First = new OurServer(databases.First, firstName, ports[0]);
        Second = new OurServer(databases.Second, secondName, ports[1]);
        Third = new OurServer(databases.Third, thirdName, ports[2]);
        OurServer[] all = [First, Second, Third];
        for (var i = 0; i < all.Length; i++)
        {
            for (var j = 0; j < all.Length; j++)
            {
                if (i != j)
                {
                    all[i].Knows(names[j], ports[j]);
                }
            }
        }

        foreach (var server in all)
        {
            _ = server.CreateClient();
        }
    }

    public OurServer First { get; }

    public OurServer Second { get; }

    public OurServer Third { get; }

    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
        Third.Dispose();
    }
}
