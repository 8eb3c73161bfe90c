namespace Federation.Storage.Dag;

/// <summary>
/// The state before an event, as computed by the caller (state resolution is not the store's job). Say it in the
/// cheapest form that is true: the state after one event, that state with some slots changed, or a full map. Events it
/// names must be persisted already or come earlier in the same batch.
/// </summary>
public abstract record StateBefore
{
    private protected StateBefore()
    {
    }

    /// <summary>The state before the event is exactly the state after <paramref name="eventId"/> (the usual case: one
    /// prev event, or resolution picked that fork's state unchanged). Stores nothing new.</summary>
    public static StateBefore SameAsAfter(string eventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        return new AfterEvent(eventId);
    }

    /// <summary>The state after <paramref name="eventId"/> with <paramref name="changes"/> applied; a null value empties
    /// the slot. Stored as a delta of that size.</summary>
    public static StateBefore Delta(string eventId, IReadOnlyDictionary<StateSlot, string?> changes)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentNullException.ThrowIfNull(changes);
        return new DeltaOnEvent(eventId, changes);
    }

    /// <summary>The whole state map. The store diffs it against the state after the event's first prev event that has
    /// state, so a map equal to that state stores nothing new; with no such prev it becomes a full snapshot.</summary>
    public static StateBefore Full(IReadOnlyDictionary<StateSlot, string> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new FullMap(state);
    }

    internal sealed record AfterEvent(string EventId) : StateBefore;

    internal sealed record DeltaOnEvent(string EventId, IReadOnlyDictionary<StateSlot, string?> Changes) : StateBefore;

    internal sealed record FullMap(IReadOnlyDictionary<StateSlot, string> State) : StateBefore;
}
