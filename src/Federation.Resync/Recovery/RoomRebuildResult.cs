namespace Federation.Resync.Recovery;

/// <summary>The result of rebuilding one room: the outcome, the server whose latest events were taken, those events
/// (the room's forward extremities afterwards) and why, when it did not simply work.</summary>
public sealed record RoomRebuildResult(
    string RoomId, RoomRebuildOutcome Outcome, string? Server, IReadOnlyList<string> Anchors, string? Detail);
