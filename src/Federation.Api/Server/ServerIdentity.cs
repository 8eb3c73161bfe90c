using Federation.Protocol.Keys;

namespace Federation.Api.Server;

/// <summary>This server's name and current signing key, loaded once at start.</summary>
public sealed record ServerIdentity(string ServerName, SigningKey SigningKey);
