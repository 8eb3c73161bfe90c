namespace Federation.Storage.Dag;

/// <summary>Tuning of a <see cref="DagStore"/>. The defaults suit one homeserver process.</summary>
public sealed class DagStoreOptions
{
    /// <summary>Slot entries of state groups kept in memory (rows and materialised states, counted separately).
    /// Default 8 million (roughly 300 MB at worst).</summary>
    public long StateGroupCacheEntries { get; init; } = 8_000_000;

    /// <summary>State-group lattices (2 KB each) kept in memory, so a new group is derived from its parent without a
    /// read. Default 8,192 (16 MB).</summary>
    public int StateDigestCacheEntries { get; init; } = 8_192;

    /// <summary>Event ids kept in memory by event nid. Default 2 million.</summary>
    public int EventIdCacheEntries { get; init; } = 2_000_000;

    /// <summary>Wait after the first failed attempt to fetch a missing event; doubled per further failure.
    /// Default 1 minute.</summary>
    public TimeSpan MissingEventInitialBackoff { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest wait between attempts to fetch a missing event. Default 1 day.</summary>
    public TimeSpan MissingEventMaxBackoff { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Events this process writes before it first runs ANALYZE on the DAG tables, and at least between two
    /// runs; after the first, it runs again each time the tables have about doubled. Keeps the prepared statements'
    /// plans from staying those made when the tables were nearly empty. 0 leaves it all to autovacuum.
    /// Default 1,000.</summary>
    public long PlannerStatisticsMinimumEvents { get; init; } = 1_000;

    /// <summary>Failed attempts after which a missing event is given up. Default 10.</summary>
    public int MissingEventMaxAttempts { get; init; } = 10;
}
