using Federation.Protocol.RoomVersions;

namespace Federation.Storage.Dag;

/// <summary>A room's integer id and version.</summary>
internal sealed record RoomRef(long Nid, string RoomId, RoomVersion Version);
