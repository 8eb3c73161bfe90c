namespace Federation.Protocol.Keys;

/// <summary>This server's name and current signing key, loaded once at start.</summary>
public sealed record ServerIdentity(string ServerName, SigningKey SigningKey);
