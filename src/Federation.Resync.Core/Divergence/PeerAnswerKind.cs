namespace Federation.Resync.Core.Divergence;

/// <summary>What a peer said when asked for its fingerprint at an event.</summary>
public enum PeerAnswerKind
{
    /// <summary>It sent a digest (verified against its lattice).</summary>
    Digest,

    /// <summary>It holds no state at that event (404): it lacks the event, holds it as an outlier, or lags.</summary>
    NotHeld,

    /// <summary>No usable answer: unreachable, refused, rate-limited, unsupported or malformed.</summary>
    Failed,
}
