using System.ComponentModel.DataAnnotations;

namespace Federation.Ingest;

/// <summary>How the receive pipeline fills gaps. Bound from the <c>Ingest</c> configuration section.</summary>
public sealed class IngestOptions
{
    public const string SectionName = "Ingest";

    /// <summary>
    /// <c>limit</c> of the one <c>/get_missing_events</c> request made for a pushed event with unknown prev events.
    /// Default 10, as Synapse asks; 1 to 20 (servers cap the answer at 20).
    /// </summary>
    [Range(1, 20)]
    public int MissingEventsLimit { get; set; } = 10;

    /// <summary>
    /// Time limit of all remote requests made for one pushed event (missing events, auth chain). Default 60 seconds,
    /// as Synapse allows its <c>/get_missing_events</c>; 1 second to 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan GapFillTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Prev events of pulled events that we do not hold (holes) whose state is fetched with <c>/state_ids</c>, per
    /// pushed event. Default 10; 0 to 20 (0: never fetch state, so a gap longer than one <c>/get_missing_events</c>
    /// answer never closes).
    /// </summary>
    [Range(0, 20)]
    public int HolePrevEventsLimit { get; set; } = 10;

    /// <summary>
    /// <c>/event</c> requests in flight at once when fetching the events of a hole's state. Default 5, as Synapse;
    /// 1 to 20.
    /// </summary>
    [Range(1, 20)]
    public int EventFetchConcurrency { get; set; } = 5;

    /// <summary>Rooms whose queued events are processed at once by this process. Default 4; 1 to 64.</summary>
    [Range(1, 64)]
    public int QueueConcurrency { get; set; } = 4;

    /// <summary>
    /// How often the inbound queue is looked at without being told of new events (events queued by another process
    /// sharing the database, or left by a restart), and how long a room whose processing failed waits. Default
    /// 5 seconds; 100 milliseconds to 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:05:00")]
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);
}
