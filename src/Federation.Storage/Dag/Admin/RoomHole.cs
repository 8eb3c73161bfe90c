namespace Federation.Storage.Dag.Admin;

/// <summary>A hole together with the room it is in (for server-wide listings).</summary>
public sealed record RoomHole(string RoomId, MissingEvent Hole);
