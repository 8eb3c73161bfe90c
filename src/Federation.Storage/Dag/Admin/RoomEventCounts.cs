namespace Federation.Storage.Dag.Admin;

/// <summary>How many events of each kind a room holds (an event is counted once by status and again if an outlier).</summary>
/// <param name="Total">Every stored event of the room.</param>
/// <param name="Accepted">Events that passed every check.</param>
/// <param name="SoftFailed">Events kept in the DAG but hidden from clients.</param>
/// <param name="Rejected">Events that failed the auth rules.</param>
/// <param name="Outliers">Events held without state (fetched for auth chains and hole states).</param>
/// <param name="MaxDepth">The largest depth of a stored event (0 for an empty room).</param>
public sealed record RoomEventCounts(long Total, long Accepted, long SoftFailed, long Rejected, long Outliers, long MaxDepth);
