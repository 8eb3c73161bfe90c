namespace Federation.Resync.Recovery;

/// <summary>
/// One room of the <see cref="RecoveryManifest"/>: what rebuilding it needs that the database held — its version, the
/// servers to ask (most members first) and local users joined to it (to ask a resident for the room's latest events).
/// </summary>
public sealed record RecoveryManifestRoom(string RoomId, string RoomVersion, IReadOnlyList<string> Servers, IReadOnlyList<string> LocalMembers);
