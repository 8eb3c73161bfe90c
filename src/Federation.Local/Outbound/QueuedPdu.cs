namespace Federation.Local.Outbound;

/// <summary>One row of the outbound queue.</summary>
/// <param name="QueueNid">Its place in the queue (increasing in creation order).</param>
/// <param name="RoomId">The event's room.</param>
/// <param name="EventId">The event to send.</param>
public sealed record QueuedPdu(long QueueNid, string RoomId, string EventId);
