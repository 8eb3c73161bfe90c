namespace Federation.Storage.Dag;

/// <summary>Which snapshot of an event to read: the state before it (what <c>/state_ids</c> serves) or after it.</summary>
public enum StatePosition
{
    /// <summary>The state the event was authorised against; never contains the event itself.</summary>
    Before,

    /// <summary>The state before, with the event in its slot when it is an accepted or soft-failed state event.</summary>
    After,
}
