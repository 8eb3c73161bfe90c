using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Events;
using Federation.StateResolution.Graph;

namespace Federation.Conformance.Remotes;

/// <summary>
/// The room's DAG as the runner's remotes hold it: the events they received when joining, the events the scenario
/// built, and the target's events they fetched. States are computed over it with the state-resolution engine, the way
/// an honest server would (events failing the auth rules do not change state), so truthful answers are real answers.
/// </summary>
public sealed class RemoteDag(RoomVersion version, string roomId)
{
    private readonly Dictionary<string, Pdu> _events = new(StringComparer.Ordinal);

    public RoomVersion Version { get; } = version;

    public string RoomId { get; } = roomId;

    public bool Contains(string eventId) => _events.ContainsKey(eventId);

    public Pdu? Get(string eventId) => _events.GetValueOrDefault(eventId);

    public void Add(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (pdu.RoomId == RoomId)
        {
            _events[pdu.EventId] = pdu;
        }
    }

    /// <summary>The state before an event with <paramref name="prevEvents"/>, (type, state key) → event id.</summary>
    public async Task<IReadOnlyDictionary<StateKey, string>> StateBeforePrevsAsync(IReadOnlyList<string> prevEvents)
    {
        var (graph, calculator) = Calculator();
        var state = await calculator.StateBeforePrevEventsAsync([.. prevEvents.Where(_events.ContainsKey)]).ConfigureAwait(false);
        return graph.ToEntries(state).ToDictionary(e => e.Key, e => e.Value);
    }

    /// <summary>The state before <paramref name="eventId"/> (what <c>/state_ids</c> answers).</summary>
    public async Task<IReadOnlyList<string>> StateBeforeAsync(string eventId)
    {
        var (graph, calculator) = Calculator();
        var state = await calculator.StateBeforeAsync(eventId).ConfigureAwait(false);
        return [.. graph.ToEntries(state).Select(e => e.Value)];
    }

    /// <summary>The events of <paramref name="ids"/> and all their auth ancestors held here, minus <paramref name="hidden"/>.</summary>
    public IReadOnlyList<Pdu> AuthChain(IEnumerable<string> ids, ISet<string> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var found = new List<Pdu>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(ids);
        while (stack.TryPop(out var id))
        {
            if (seen.Add(id) && _events.TryGetValue(id, out var pdu) && !hidden.Contains(id))
            {
                found.Add(pdu);
                foreach (var auth in pdu.AuthEvents)
                {
                    stack.Push(auth);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// <c>/get_missing_events</c> walked truthfully: breadth first from <paramref name="latest"/> over prev events,
    /// never into <paramref name="earliest"/>, at most <paramref name="limit"/> events, oldest first.
    /// </summary>
    public IReadOnlyList<Pdu> MissingEvents(ISet<string> earliest, IReadOnlyList<string> latest, int limit, ISet<string> hidden)
    {
        ArgumentNullException.ThrowIfNull(earliest);
        ArgumentNullException.ThrowIfNull(hidden);
        var found = new List<Pdu>();
        var seen = new HashSet<string>(latest, StringComparer.Ordinal);
        var queue = new Queue<string>(latest);
        while (queue.TryDequeue(out var id) && found.Count < limit)
        {
            foreach (var prev in _events.TryGetValue(id, out var pdu) ? pdu.PrevEvents : [])
            {
                if (found.Count < limit && !earliest.Contains(prev) && seen.Add(prev)
                    && _events.TryGetValue(prev, out var prevPdu) && !hidden.Contains(prev))
                {
                    found.Add(prevPdu);
                    queue.Enqueue(prev);
                }
            }
        }

        return [.. found.OrderBy(p => p.Depth)];
    }

    public static JsonNode Node(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        return JsonNode.Parse(pdu.Json.GetRawText())!;
    }

    private (RoomGraph Graph, DagStateCalculator Calculator) Calculator()
    {
        var source = new InMemoryEventSource();
        source.AddRange(_events.Values);
        var graph = new RoomGraph(Version, source, RoomId);
        return (graph, new DagStateCalculator(graph, DagMode.RejectUnauthorised));
    }
}
