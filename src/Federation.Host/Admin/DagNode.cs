namespace Federation.Host.Admin;

/// <summary>One event of a <see cref="DagView"/>.</summary>
/// <param name="EventId">The event.</param>
/// <param name="Type">Its type.</param>
/// <param name="StateKey">Its state key, null for a timeline-only event.</param>
/// <param name="Sender">Its sender.</param>
/// <param name="Depth">Its depth (the page's rows).</param>
/// <param name="StreamOrdering">The order this server persisted it (the page's order within a row).</param>
/// <param name="Status"><c>accepted</c>, <c>soft_failed</c> or <c>rejected</c>.</param>
/// <param name="RejectionReason">Why it was rejected, else null.</param>
/// <param name="Outlier">Held without state.</param>
/// <param name="Backfilled">Arrived through backfill.</param>
/// <param name="ForwardExtremity">One of the room's forward extremities.</param>
/// <param name="Fork">More than one shown event names it as a prev event.</param>
/// <param name="Merge">It has more than one prev event.</param>
/// <param name="FirstDivergent">The latest divergence report names it as the first divergent event.</param>
public sealed record DagNode(
    string EventId,
    string Type,
    string? StateKey,
    string Sender,
    long Depth,
    long StreamOrdering,
    string Status,
    string? RejectionReason,
    bool Outlier,
    bool Backfilled,
    bool ForwardExtremity,
    bool Fork,
    bool Merge,
    bool FirstDivergent);
