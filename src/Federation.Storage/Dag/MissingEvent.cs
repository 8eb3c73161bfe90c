namespace Federation.Storage.Dag;

/// <summary>A hole: an event referenced as a prev_event of a timeline event that the store does not hold as one.</summary>
/// <param name="EventId">The missing event.</param>
/// <param name="DiscoveredAt">When the first reference to it was persisted.</param>
/// <param name="Attempts">Failed attempts to fetch it so far.</param>
/// <param name="LastAttemptAt">When it was last asked for.</param>
/// <param name="NextAttemptAt">Not to be asked for before this instant (null: whenever).</param>
/// <param name="LastError">What the last failed attempt reported.</param>
/// <param name="AskedServers">Servers asked so far, in the order first asked.</param>
/// <param name="GivenUpAt">When fetching was abandoned, else null.</param>
public sealed record MissingEvent(
    string EventId,
    DateTimeOffset DiscoveredAt,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    IReadOnlyList<string> AskedServers,
    DateTimeOffset? GivenUpAt);
