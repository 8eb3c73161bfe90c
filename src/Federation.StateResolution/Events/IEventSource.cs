using Federation.Protocol.Events;

namespace Federation.StateResolution.Events;

/// <summary>One answer of an <see cref="IEventSource"/>: the event, or <c>null</c> when the source does not have it.</summary>
/// <param name="Event">The event, or <c>null</c> when it is unknown to the source.</param>
/// <param name="IsRejected">Whether the event was rejected when it was received (it never enters state).</param>
public readonly record struct EventLookup(Pdu? Event, bool IsRejected)
{
    public static EventLookup Missing => default;
}

/// <summary>
/// Where the engine gets events from: in memory for the CLI and tests, Postgres or a remote server later. Always asked
/// in batches; the engine caches what it got, so a source is asked for an id at most once per <see cref="Graph.RoomGraph"/>.
/// </summary>
public interface IEventSource
{
    /// <summary>
    /// Looks up <paramref name="eventIds"/>; the answer has one entry per id, in the same order
    /// (<see cref="EventLookup.Missing"/> for unknown ids).
    /// </summary>
    ValueTask<IReadOnlyList<EventLookup>> GetEventsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default);
}
