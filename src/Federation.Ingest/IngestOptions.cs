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
}
