namespace Federation.Host.Admin;

/// <summary>A prev edge of a <see cref="DagView"/>: <see cref="From"/> names <see cref="To"/> in its prev_events.</summary>
/// <param name="From">The later event.</param>
/// <param name="To">Its prev event.</param>
/// <param name="Kind"><c>prev</c> (both shown), <c>hole</c> (the prev is not held) or <c>outside</c> (held, older than
/// the events shown).</param>
public sealed record DagEdge(string From, string To, string Kind);
