namespace Federation.Storage.Dag;

/// <summary>
/// What the store knows of an event id in a room without reading the event: whether the event itself is held (an id
/// can also be known only because a held event refers to it), as an outlier or with state, and its status.
/// </summary>
public sealed record KnownEvent(string EventId, bool IsHeld, bool IsOutlier, EventStatus Status);
