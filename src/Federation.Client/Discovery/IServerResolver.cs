namespace Federation.Client.Discovery;

/// <summary>Turns a server name into the address its federation API is served at.</summary>
public interface IServerResolver
{
    Task<ResolvedServer> ResolveAsync(string serverName, CancellationToken cancellationToken);
}
