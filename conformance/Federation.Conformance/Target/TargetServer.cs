namespace Federation.Conformance.Target;

/// <summary>The homeserver under test: where it listens, the name it goes by, and the secret that registers its users.</summary>
public sealed record TargetServer(Uri BaseAddress, string ServerName, string RegistrationSharedSecret);
