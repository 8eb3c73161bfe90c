using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Events;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Documents;

/// <summary>
/// A <see cref="RoomDocument"/> turned into PDUs in an in-memory source, with a graph, a DAG calculator and the
/// document's state sets as state maps.
/// <para>
/// Events are built in topological order (prev and auth events first). An event without an <c>auth_events</c> key
/// gets the auth-event selection of the state before it, computed over the DAG with this session's mode (this is how
/// Synapse's state-resolution tests build rooms). An event without <c>depth</c> gets 1 + the largest depth of its prev
/// events.
/// </para>
/// </summary>
public sealed class RoomSession
{
    private RoomSession(RoomDocument document, InMemoryEventSource source, RoomGraph graph, DagStateCalculator dag)
    {
        Document = document;
        Source = source;
        Graph = graph;
        Dag = dag;
    }

    public RoomDocument Document { get; }

    public InMemoryEventSource Source { get; }

    public RoomGraph Graph { get; }

    /// <summary>The calculator events without auth events were derived with; reuse it for state queries.</summary>
    public DagStateCalculator Dag { get; }

    /// <summary>The document's state sets as state maps (empty when it has none).</summary>
    public IReadOnlyList<StateMap> StateSets { get; private set; } = [];

    /// <exception cref="StateResolutionException">An event is malformed or a referenced event is missing.</exception>
    public static async Task<RoomSession> BuildAsync(
        RoomDocument document,
        DagMode mode,
        ResolutionStats? stats = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        var source = new InMemoryEventSource();
        var graph = new RoomGraph(document.RoomVersion, source);
        var dag = new DagStateCalculator(graph, mode, stats);
        var session = new RoomSession(document, source, graph, dag);
        var depths = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var draft in TopologicalOrder(document.Events))
        {
            var pdu = await session.BuildEventAsync(draft, depths, cancellationToken).ConfigureAwait(false);
            depths[pdu.EventId] = pdu.Depth;
            source.Add(pdu);
        }

        if (document.StateSets is { } sets)
        {
            var maps = new List<StateMap>(sets.Count);
            foreach (var set in sets)
            {
                foreach (var entry in set)
                {
                    var pdu = source.Get(entry.EventId)!;
                    if (pdu.Type != entry.Key.Type || pdu.StateKey != entry.Key.Key)
                    {
                        throw new StateResolutionException(
                            $"a state set lists event {entry.EventId} at {entry.Key}, but it is ({pdu.Type}, '{pdu.StateKey}')");
                    }
                }

                var entries = set.Select(e => KeyValuePair.Create(e.Key, e.EventId));
                maps.Add(await graph.LoadStateAsync(entries, maps.Count > 0 ? maps[0] : null, cancellationToken).ConfigureAwait(false));
            }

            session.StateSets = maps;
        }

        return session;
    }

    private async Task<Pdu> BuildEventAsync(EventDraft draft, Dictionary<string, long> depths, CancellationToken cancellationToken)
    {
        var version = Document.RoomVersion;
        var json = draft.Json;
        JsonObject? edited = null;
        if (!json.TryGetProperty("depth", out _))
        {
            var depth = 0L;
            foreach (var prev in draft.PrevEvents)
            {
                depth = Math.Max(depth, depths.TryGetValue(prev, out var d) ? d : 0);
            }

            edited ??= (JsonObject)JsonNode.Parse(json.GetRawText())!;
            edited["depth"] = depth + 1;
        }

        if (draft.AuthEvents is null)
        {
            edited ??= (JsonObject)JsonNode.Parse(json.GetRawText())!;
            edited["auth_events"] = new JsonArray();
            var probe = Create(JsonSerializer.SerializeToElement(edited), draft);
            StateMap before;
            try
            {
                before = await Dag.StateBeforePrevEventsAsync(draft.PrevEvents, draft.EventId, cancellationToken).ConfigureAwait(false);
            }
            catch (StateResolutionException e)
            {
                throw new StateResolutionException($"event {draft.EventId}: cannot derive its auth events: {e.Message}", e);
            }

            var authEvents = new JsonArray();
            foreach (var key in AuthEventSelection.Select(probe))
            {
                if (Graph.Get(before, key) is { } authId)
                {
                    authEvents.Add(authId);
                }
            }

            edited["auth_events"] = authEvents;
        }

        return Create(edited is null ? json : JsonSerializer.SerializeToElement(edited), draft);
    }

    private Pdu Create(JsonElement json, EventDraft draft)
    {
        try
        {
            return Pdu.WithTrustedId(json, Document.RoomVersion, draft.EventId);
        }
        catch (PduFormatException e)
        {
            throw new StateResolutionException($"event {draft.EventId}: {e.Message}", e);
        }
    }

    /// <summary>Prev and auth events before the events citing them; otherwise document order. Cycles are an error.</summary>
    private static List<EventDraft> TopologicalOrder(IReadOnlyList<EventDraft> events)
    {
        var byId = events.ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<EventDraft>(events.Count);
        var stack = new Stack<(EventDraft Draft, int Next)>();
        foreach (var root in events)
        {
            if (state.ContainsKey(root.EventId))
            {
                continue;
            }

            state[root.EventId] = 1;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (draft, next) = stack.Pop();
                var references = draft.PrevEvents.Count + (draft.AuthEvents?.Count ?? 0);
                var descended = false;
                while (next < references)
                {
                    var id = next < draft.PrevEvents.Count ? draft.PrevEvents[next] : draft.AuthEvents![next - draft.PrevEvents.Count];
                    next++;
                    if (!byId.TryGetValue(id, out var referenced))
                    {
                        continue;
                    }

                    if (state.TryGetValue(id, out var s))
                    {
                        if (s == 1)
                        {
                            throw new StateResolutionException($"event {draft.EventId} is its own ancestor through {id}");
                        }

                        continue;
                    }

                    state[id] = 1;
                    stack.Push((draft, next));
                    stack.Push((referenced, 0));
                    descended = true;
                    break;
                }

                if (!descended)
                {
                    state[draft.EventId] = 2;
                    order.Add(draft);
                }
            }
        }

        return order;
    }
}
