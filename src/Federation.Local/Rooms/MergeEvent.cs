namespace Federation.Local.Rooms;

/// <summary>One merge event sent and the extremities it cites.</summary>
public sealed record MergeEvent(string EventId, IReadOnlyList<string> PrevEvents);
