namespace Federation.Testing.Homeservers;

/// <summary>A request a <see cref="FakeHomeserver"/> received.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string Authorization);
