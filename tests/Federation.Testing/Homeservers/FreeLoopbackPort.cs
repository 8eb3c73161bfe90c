using System.Net;
using System.Net.Sockets;

namespace Federation.Testing.Homeservers;

/// <summary>
/// An unused loopback port, for servers whose address others must know before they start (two of our servers that
/// name each other as destinations). Another process may take it first; tests using it accept that small risk.
/// </summary>
public static class FreeLoopbackPort
{
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
