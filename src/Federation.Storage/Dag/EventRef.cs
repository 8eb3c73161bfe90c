namespace Federation.Storage.Dag;

/// <summary>What a write knows about one event id of its room: its nid and, once held, how.</summary>
internal sealed class EventRef(long nid)
{
    public long Nid { get; } = nid;

    public bool Held { get; set; }

    /// <summary>The id had a nid before this write (it was held or referenced), so it may be a hole this write fills.</summary>
    public bool KnownBefore { get; init; }

    public bool Outlier { get; set; }

    public EventStatus Status { get; set; }

    public long? Before { get; set; }

    public long? After { get; set; }
}
