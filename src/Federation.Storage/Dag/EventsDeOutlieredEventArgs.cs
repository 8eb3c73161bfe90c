namespace Federation.Storage.Dag;

/// <summary>Outliers a write has just made timeline events: their status may have changed with it.</summary>
public sealed class EventsDeOutlieredEventArgs(IReadOnlyList<string> eventIds) : EventArgs
{
    public IReadOnlyList<string> EventIds { get; } = eventIds;
}
