using Federation.Resync.Core.Divergence;

namespace Federation.Resync.Divergence;

/// <summary>The outcome of one divergence probe of a room: evidence for the operator, never an input to our state.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="ProbeEvent">The event whose after-state was compared.</param>
/// <param name="ProbedAt">When.</param>
/// <param name="Verdict">The classification and the digests behind it.</param>
/// <param name="BisectedPeer">The peer the bisection compared against, when there was a difference.</param>
/// <param name="Bisection">Where our state and that peer's first part.</param>
/// <param name="Repair">The automatic repair of a minority verdict, when one was made.</param>
public sealed record DivergenceReport(
    string RoomId,
    string ProbeEvent,
    DateTimeOffset ProbedAt,
    DivergenceVerdict Verdict,
    string? BisectedPeer,
    BisectionResult? Bisection,
    DivergenceRepair? Repair = null);
