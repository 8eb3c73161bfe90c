namespace Federation.Client.Discovery;

/// <summary>Where to reach a server: the base URL to connect to and the Host header to send.</summary>
public sealed record ResolvedServer(string ServerName, Uri BaseAddress, string HostHeader);
