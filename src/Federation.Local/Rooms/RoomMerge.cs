namespace Federation.Local.Rooms;

/// <summary>What <see cref="RoomMerger.MergeAsync"/> did: the extremities before, the merge events sent (none when
/// there was one extremity already), and the extremities after.</summary>
public sealed record RoomMerge(string RoomId, IReadOnlyList<string> ExtremitiesBefore, IReadOnlyList<MergeEvent> Sent, IReadOnlyList<string> ExtremitiesAfter);
