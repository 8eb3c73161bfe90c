namespace Federation.Storage.Dag.Admin;

/// <summary>A room this server holds, for operators' listings.</summary>
public sealed record RoomListing(string RoomId, string RoomVersion, long EventCount);
