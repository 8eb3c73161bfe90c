namespace Federation.Client.StateAccumulators;

/// <summary>How a peer answered a state accumulator request.</summary>
public enum StateAccumulatorStatus
{
    /// <summary>A well-formed answer (its digest is not yet checked against its lattice).</summary>
    Ok,

    /// <summary>404 <c>M_NOT_FOUND</c>: the peer holds no state at that event.</summary>
    NotFound,

    /// <summary>The peer does not implement the endpoint (404 <c>M_UNRECOGNIZED</c>, 405, 501, or a non-Matrix 404).</summary>
    Unsupported,

    /// <summary>429 <c>M_LIMIT_EXCEEDED</c>.</summary>
    RateLimited,

    /// <summary>Anything else: unreachable, refused (403), server error, malformed answer.</summary>
    Failed,
}
