using System.Net;
using System.Net.Sockets;

namespace Federation.Client.Http;

/// <summary>
/// Which addresses outbound federation connections may reach. Server names come from remote input (event senders,
/// request origins, well-known answers), so without a rule anyone could make this server connect to its own
/// loopback, its private network or a cloud metadata service. Public unicast addresses are allowed; loopback, private,
/// link-local, carrier-grade NAT, unique-local, multicast and unspecified ones only for hosts named in the configured
/// destinations map, or everywhere when the operator allows private addresses (a federation inside a private network).
/// </summary>
public sealed class OutboundAddressPolicy(IEnumerable<string> trustedHosts, bool allowPrivateAddresses)
{
    private readonly HashSet<string> _trustedHosts = new(trustedHosts, StringComparer.OrdinalIgnoreCase);

    /// <summary>The policy of <paramref name="options"/>: its destinations map's hosts are trusted.</summary>
    public static OutboundAddressPolicy For(FederationClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var hosts = options.Destinations.Values
            .Select(url => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.IdnHost : null)
            .OfType<string>();
        return new OutboundAddressPolicy(hosts, options.AllowPrivateAddresses);
    }

    /// <summary>Whether a connection to <paramref name="address"/> for <paramref name="host"/> may be made.</summary>
    public bool Allows(string host, IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return allowPrivateAddresses || _trustedHosts.Contains(host) || IsPublic(address);
    }

    /// <summary>
    /// The connection callback for a <see cref="SocketsHttpHandler"/>: resolves the host, keeps the addresses the
    /// policy allows, and connects to the first that answers.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => Allows(endpoint.Host, a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(
                HttpRequestError.ConnectionError, $"{endpoint.Host} resolves only to addresses outbound federation may not reach");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="address"/> is a public unicast address.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] >= 224
                || (b[0] == 100 && b[1] >= 64 && b[1] < 128)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] < 32)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 192 && b[1] == 0 && b[2] == 0));
        }

        var bytes = address.GetAddressBytes();
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
            || (bytes[0] & 0xFE) == 0xFC);
    }
}
