namespace Federation.Resync.Core.Divergence;

/// <summary>Where our state and a peer's first part.</summary>
/// <param name="Outcome">Whether the event is the first divergent one or only a bound.</param>
/// <param name="FirstDivergent">The earliest event found after which our state and the peer's differ.</param>
/// <param name="LastAgreeing">The ancestor just before it on the searched line at which both agree (null when none
/// was found).</param>
/// <param name="PeerLacksEvent">The peer holds no state at <paramref name="FirstDivergent"/> (it never got it).</param>
/// <param name="Probes">Fingerprints asked of the peer.</param>
public sealed record BisectionResult(
    BisectionOutcome Outcome, string FirstDivergent, string? LastAgreeing, bool PeerLacksEvent, int Probes);
