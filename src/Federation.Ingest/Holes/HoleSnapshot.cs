using Federation.Ingest.Remote;

namespace Federation.Ingest.Holes;

/// <summary>
/// What a remote told us about a prev event we do not hold: the event itself, the ids it claims are the state before
/// it, and the events we fetched to know them (to be stored as outliers before any of it is used).
/// </summary>
public sealed record HoleSnapshot(string PrevEventId, IReadOnlyList<string> StateIds, IReadOnlyList<VerifiedEvent> Fetched);
