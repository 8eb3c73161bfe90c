using System.ComponentModel.DataAnnotations;

namespace Federation.Local.Outbound;

/// <summary>How events created here are sent to other servers. Bound from the <c>OutboundFederation</c> section.</summary>
public sealed class OutboundOptions
{
    public const string SectionName = "OutboundFederation";

    /// <summary>Most PDUs in one <c>/send</c> transaction. Default 50, the most the spec allows; 1 to 50.</summary>
    [Range(1, 50)]
    public int MaxPdusPerTransaction { get; set; } = 50;

    /// <summary>
    /// Wait after the first failed transaction to a destination; each further failure doubles it. Default 10 seconds;
    /// 100 ms to 1 hour. (The federation client's own retries and circuit breaker run inside each attempt.)
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most events queued for one destination. Past it the oldest rows are dropped (and logged), so a destination
    /// that stays down for long cannot grow the table without bound; the events stay in the room for it to fetch.
    /// Default 10,000; 1 to 10,000,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedPerDestination { get; set; } = 10_000;

    /// <summary>Longest wait between attempts to a failing destination. Default 1 hour; 1 second to 7 days.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(1);
}
