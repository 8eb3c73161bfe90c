namespace Federation.Resync.Holes;

/// <summary>One hole worked on in a repair cycle.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="EventId">The missing event.</param>
/// <param name="Server">The server asked, or null when none was.</param>
/// <param name="Outcome">What came of it.</param>
public sealed record HoleRepairAttempt(string RoomId, string EventId, string? Server, HoleRepairOutcome Outcome);
