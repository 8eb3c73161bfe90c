using System.Net;
using System.Net.Sockets;

namespace Federation.Storage.Postgres;

/// <summary>
/// Asks the kernel for an unused loopback port. Another process may take it before the server binds, so callers
/// retry with a new port when the server reports the address in use.
/// </summary>
internal static class FreeTcpPort
{
    public static int Pick()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}
