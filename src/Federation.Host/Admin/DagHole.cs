namespace Federation.Host.Admin;

/// <summary>A prev event of shown events that the server does not hold.</summary>
/// <param name="EventId">The missing event.</param>
/// <param name="Attempts">Failed attempts to fetch it (0 when not recorded as a hole, e.g. a prev of an outlier).</param>
/// <param name="GivenUp">Fetching it was abandoned.</param>
/// <param name="ReferencedBy">Shown events that name it as a prev event.</param>
public sealed record DagHole(string EventId, int Attempts, bool GivenUp, IReadOnlyList<string> ReferencedBy);
