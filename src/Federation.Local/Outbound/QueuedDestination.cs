namespace Federation.Local.Outbound;

/// <summary>What waits in the outbound queue for one destination.</summary>
/// <param name="Destination">The server the events are for.</param>
/// <param name="QueuedEvents">Events not yet delivered.</param>
/// <param name="Rooms">Distinct rooms those events are in.</param>
/// <param name="OldestEnqueuedAt">When the oldest waiting event was queued: how long the destination has been unreachable
/// (at least), since a reachable destination empties its queue within one transaction round trip.</param>
public sealed record QueuedDestination(string Destination, long QueuedEvents, long Rooms, DateTimeOffset OldestEnqueuedAt);
