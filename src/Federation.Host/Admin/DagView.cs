namespace Federation.Host.Admin;

/// <summary>The recent part of a room's DAG as the admin page draws it (serialised in snake_case).</summary>
/// <param name="RoomId">The room.</param>
/// <param name="RoomVersion">Its version.</param>
/// <param name="Limit">Most events asked for: the deepest ones are shown.</param>
/// <param name="TotalEvents">Events the room holds; more than <see cref="Nodes"/> means older events are left out.</param>
/// <param name="Nodes">The events shown, deepest first.</param>
/// <param name="Edges">Prev edges from shown events.</param>
/// <param name="Holes">Prev events the server does not hold.</param>
/// <param name="DivergenceClass">The class of the room's latest divergence report, null when it was never probed.</param>
/// <param name="FirstDivergentEvent">The first divergent event that report names, whether shown or not.</param>
public sealed record DagView(
    string RoomId,
    string RoomVersion,
    int Limit,
    long TotalEvents,
    IReadOnlyList<DagNode> Nodes,
    IReadOnlyList<DagEdge> Edges,
    IReadOnlyList<DagHole> Holes,
    string? DivergenceClass,
    string? FirstDivergentEvent);
