namespace Federation.Resync.Reconciliation;

/// <summary>One peer of one room in the periodic exchange, as <see cref="ReconciliationPeers"/> reports it.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Server">The peer.</param>
/// <param name="AddedByHand">Added with <see cref="ReconciliationPeers.Add"/> (kept when it leaves the room), not found as a resident server.</param>
/// <param name="Paused">Skipped until resumed.</param>
/// <param name="Interval">Its own interval, or null for the configured one.</param>
/// <param name="NextDue">When it is next exchanged with.</param>
public sealed record PeerSchedule(string RoomId, string Server, bool AddedByHand, bool Paused, TimeSpan? Interval, DateTimeOffset NextDue);
