using System.ComponentModel.DataAnnotations;

namespace Federation.Storage.Dag;

/// <summary>Tuning of a <see cref="DagStore"/>. The defaults suit one homeserver process. Bound from the <c>Store</c>
/// configuration section.</summary>
public sealed class DagStoreOptions
{
    public const string SectionName = "Store";

    /// <summary>Slot entries of state groups kept in memory (rows and materialised states, counted separately).
    /// Default 8 million (roughly 300 MB at worst).</summary>
    [Range(1, long.MaxValue)]
    public long StateGroupCacheEntries { get; set; } = 8_000_000;

    /// <summary>State-group lattices (2 KB each) kept in memory, so a new group is derived from its parent without a
    /// read. Default 8,192 (16 MB).</summary>
    [Range(1, int.MaxValue)]
    public int StateDigestCacheEntries { get; set; } = 8_192;

    /// <summary>Event ids kept in memory by event nid. Default 2 million.</summary>
    [Range(1, int.MaxValue)]
    public int EventIdCacheEntries { get; set; } = 2_000_000;

    /// <summary>Events held with state whose nid, status and state groups are kept in memory, so that writes and
    /// existence checks ask the database only about the others. Default 500,000 (about 120 MB at most).</summary>
    [Range(2, int.MaxValue)]
    public int SettledEventCacheEntries { get; set; } = 500_000;

    /// <summary>Wait after the first failed attempt to fetch a missing event; doubled per further failure.
    /// Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MissingEventInitialBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between attempts to fetch a missing event. Default 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MissingEventMaxBackoff { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Events this process writes before it first runs ANALYZE on the DAG tables, and at least between two
    /// runs; after the first, it runs again each time the tables have about doubled. Keeps the prepared statements'
    /// plans from staying those made when the tables were nearly empty. 0 leaves it all to autovacuum.
    /// Default 1,000.</summary>
    [Range(0, long.MaxValue)]
    public long PlannerStatisticsMinimumEvents { get; set; } = 1_000;

    /// <summary>Failed attempts after which a missing event is given up. Default 10.</summary>
    [Range(1, 1000)]
    public int MissingEventMaxAttempts { get; set; } = 10;
}
