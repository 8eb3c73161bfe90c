namespace Federation.Storage.Dag;

/// <summary>One event a write will store, with its nid and state groups.</summary>
internal sealed record WrittenEvent(EventToPersist Event, long Nid, long? Before, long? After, bool DeOutlier);

/// <summary>What a write decided: events to store and events skipped as already held.</summary>
internal sealed record WritePlan(IReadOnlyList<WrittenEvent> Written, IReadOnlyList<EventToPersist> Skipped);
