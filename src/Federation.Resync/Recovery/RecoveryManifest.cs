namespace Federation.Resync.Recovery;

/// <summary>
/// The rooms this server is joined to, kept outside the database (a file beside the signing key) so that a server
/// that lost its database knows which rooms to rebuild and whom to ask.
/// </summary>
public sealed record RecoveryManifest(string ServerName, long WrittenAtMs, IReadOnlyList<RecoveryManifestRoom> Rooms);
