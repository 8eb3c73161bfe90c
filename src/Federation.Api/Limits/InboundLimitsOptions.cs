using System.ComponentModel.DataAnnotations;

namespace Federation.Api.Limits;

/// <summary>Limits on what one remote server may ask of us at once. Bound from the <c>InboundFederation</c> section.</summary>
public sealed class InboundLimitsOptions
{
    public const string SectionName = "InboundFederation";

    /// <summary>
    /// Authenticated requests one origin server may have in progress at once; more are refused with
    /// <c>429 M_LIMIT_EXCEEDED</c>, so that one server's flood cannot take every worker from the others. Default 10
    /// (Synapse processes 3 at a time per origin and queues the rest; refusing instead of queueing needs some slack for
    /// a server fetching a state's events in parallel, 5 at a time in Synapse); 1 to 1000.
    /// </summary>
    [Range(1, 1000)]
    public int MaxConcurrentRequestsPerOrigin { get; set; } = 10;

    /// <summary>
    /// The wait suggested to a refused origin (<c>retry_after_ms</c> and the <c>Retry-After</c> header). Default 1 second;
    /// 100 milliseconds to 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
