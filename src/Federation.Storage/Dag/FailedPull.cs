namespace Federation.Storage.Dag;

/// <summary>An event we failed to pull from another server, and when it may be asked for again.</summary>
/// <param name="EventId">The event.</param>
/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="LastAttemptAt">When the last attempt failed.</param>
/// <param name="NextAttemptAt">Not to be asked for before this instant.</param>
/// <param name="LastError">What the last attempt reported.</param>
public sealed record FailedPull(string EventId, int Attempts, DateTimeOffset LastAttemptAt, DateTimeOffset NextAttemptAt, string LastError);
