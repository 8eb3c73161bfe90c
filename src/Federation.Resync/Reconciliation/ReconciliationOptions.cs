using System.ComponentModel.DataAnnotations;

namespace Federation.Resync.Reconciliation;

/// <summary>
/// Set reconciliation of a room's events with peers (docs/resync.md, "Set reconciliation"). Bound from the
/// <c>Resync:Reconciliation</c> configuration section.
/// </summary>
public sealed class ReconciliationOptions
{
    public const string SectionName = "Resync:Reconciliation";

    /// <summary>
    /// Largest reconciliation message, in bytes, both ways: a bigger request is refused with <c>M_TOO_LARGE</c>, and
    /// our own messages and answers are cut at this size (the protocol's frame-size limit; the rest follows in later
    /// rounds). Default 4 MiB, room for the ids of ~100,000 differences; 4,096 bytes to 16 MiB.
    /// </summary>
    [Range(4096, 16 * 1024 * 1024)]
    public int MaxMessageBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most messages sent to a peer in one reconciliation. Default 16; 1 to 1,000.</summary>
    [Range(1, 1000)]
    public int MaxRounds { get; set; } = 16;

    /// <summary>Most message bytes, both ways together, of one reconciliation. Default 64 MiB; 64 KiB to 1 GiB.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public long MaxTotalBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Time limit of one reconciliation with one peer, downloads included. Default 5 minutes; 1 second to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most events downloaded in one reconciliation (the rest at the next one). Default 10,000; 1 to 1,000,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxEventsPerRun { get; set; } = 10_000;

    /// <summary><c>/event</c> requests in flight at once while downloading what we lack. Default 8; 1 to 64.</summary>
    [Range(1, 64)]
    public int DownloadConcurrency { get; set; } = 8;

    /// <summary>
    /// Whether a gap that one full <c>/get_missing_events</c> answer does not close is reconciled with the sender over
    /// the gap's time window before the state at the missing prev events is fetched. Default true.
    /// </summary>
    public bool UseForLargeGaps { get; set; } = true;

    /// <summary>Whether the periodic exchange with each room's resident servers runs. Default true.</summary>
    public bool PeriodicEnabled { get; set; } = true;

    /// <summary>Time between two exchanges with the same peer in the same room (unless set per peer). Default 5 minutes,
    /// as Waku's store sync; 10 seconds to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Up to this much random delay is added to each interval so peers do not all exchange at once. Default
    /// 30 seconds; 0 to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan Jitter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Length of the <c>origin_server_ts</c> window the periodic exchange compares. Default 1 hour; 1 minute to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How far before now the window ends, so that events still travelling through <c>/send</c> are not taken for
    /// differences. Default 20 seconds, as Waku's store sync; 0 to 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan WindowEndOffset { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a peer that does not serve the endpoint (404, 405, 501) is left alone. Default 24 hours; 1 minute to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan UnsupportedBackOff { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the periodic service looks for due peers and for new resident servers. Default 10 seconds;
    /// 1 second to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);
}
