namespace Federation.Storage.Dag.Admin;

/// <summary>A room this server holds, for the background passes that go over every room.</summary>
public sealed record StoredRoom(string RoomId, string RoomVersion);
