namespace Federation.Resync.Core.Divergence;

/// <summary>How a bisection ended.</summary>
public enum BisectionOutcome
{
    /// <summary>The first divergent event was found: the peer agrees just before it (or it starts the room).</summary>
    Found,

    /// <summary>The line searched differs all along and was cut at its length limit: the divergence is at or before
    /// the event reported.</summary>
    OlderThanSearched,

    /// <summary>A peer's answer failed or the probe budget ran out: the event reported is the best bound so far.</summary>
    Inconclusive,
}
