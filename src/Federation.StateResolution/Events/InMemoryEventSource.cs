using Federation.Protocol.Events;

namespace Federation.StateResolution.Events;

/// <summary>An <see cref="IEventSource"/> over a dictionary, for the CLI, tests and benchmarks.</summary>
public sealed class InMemoryEventSource : IEventSource
{
    private readonly Dictionary<string, EventLookup> _events = new(StringComparer.Ordinal);

    public int Count => _events.Count;

    /// <summary>Adds (or replaces) an event.</summary>
    public void Add(Pdu pdu, bool isRejected = false)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        _events[pdu.EventId] = new EventLookup(pdu, isRejected);
    }

    public void AddRange(IEnumerable<Pdu> pdus)
    {
        ArgumentNullException.ThrowIfNull(pdus);
        foreach (var pdu in pdus)
        {
            Add(pdu);
        }
    }

    public bool Contains(string eventId) => _events.ContainsKey(eventId);

    public Pdu? Get(string eventId) => _events.TryGetValue(eventId, out var lookup) ? lookup.Event : null;

    public ValueTask<IReadOnlyList<EventLookup>> GetEventsAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var result = new EventLookup[eventIds.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _events.TryGetValue(eventIds[i], out var lookup) ? lookup : EventLookup.Missing;
        }

        return ValueTask.FromResult<IReadOnlyList<EventLookup>>(result);
    }
}
