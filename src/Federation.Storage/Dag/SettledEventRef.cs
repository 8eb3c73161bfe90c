namespace Federation.Storage.Dag;

/// <summary>An event held with state, as <see cref="SettledEventRefs"/> remembers it.</summary>
internal readonly record struct SettledEventRef(long Nid, EventStatus Status, long? Before, long? After)
{
    /// <summary>The ref a write works with (a fresh object: the write's planner updates its refs).</summary>
    public EventRef ToEventRef() =>
        new(Nid) { Held = true, KnownBefore = true, Outlier = false, Status = Status, Before = Before, After = After };
}
