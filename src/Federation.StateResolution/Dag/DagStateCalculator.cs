using Federation.StateResolution.Auth;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Dag;

/// <summary>
/// State before and after events over the prev_events DAG: the state before E is the resolution of the states after
/// each of E's prev events (no resolution with one prev, empty with none); the state after E is the state before E
/// plus E if E is a state event that was accepted. Results are memoised per event; maps share structure, so keeping
/// the state at every event of a large room is cheap.
/// </summary>
public sealed class DagStateCalculator
{
    private readonly RoomGraph _graph;
    private readonly StateResolver _resolver;
    private readonly DagMode _mode;
    private readonly Dictionary<int, StateMap> _before = [];
    private readonly Dictionary<int, StateMap> _after = [];

    public DagStateCalculator(RoomGraph graph, DagMode mode, ResolutionStats? stats = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = graph;
        _mode = mode;
        _resolver = new StateResolver(graph, stats);
    }

    public RoomGraph Graph => _graph;

    public DagMode Mode => _mode;

    /// <summary>The state before <paramref name="eventId"/>.</summary>
    /// <exception cref="StateResolutionException">The event or one of its ancestors' prev events is unknown.</exception>
    public async ValueTask<StateMap> StateBeforeAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var node = await LoadAncestryAsync(eventId, cancellationToken).ConfigureAwait(false);
        Compute(node);
        return _before[node];
    }

    /// <summary>The state after <paramref name="eventId"/>.</summary>
    /// <exception cref="StateResolutionException">The event or one of its ancestors' prev events is unknown.</exception>
    public async ValueTask<StateMap> StateAfterAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var node = await LoadAncestryAsync(eventId, cancellationToken).ConfigureAwait(false);
        Compute(node);
        return _after[node];
    }

    /// <summary>
    /// The state before an event that is not built yet, from its prev events (for example to select its auth events).
    /// When <paramref name="eventId"/> is given, the result is remembered as that event's state before.
    /// </summary>
    public async ValueTask<StateMap> StateBeforePrevEventsAsync(
        IReadOnlyList<string> prevEvents,
        string? eventId = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prevEvents);
        var prevs = new List<int>(prevEvents.Count);
        foreach (var prev in prevEvents)
        {
            var node = await LoadAncestryAsync(prev, cancellationToken).ConfigureAwait(false);
            Compute(node);
            if (!prevs.Contains(node))
            {
                prevs.Add(node);
            }
        }

        var before = Before(prevs);
        if (eventId is not null)
        {
            _before[_graph.Intern(eventId)] = before;
        }

        return before;
    }

    /// <summary>Whether the event was rejected (in <see cref="DagMode.RejectUnauthorised"/>) or by its source.</summary>
    public bool IsRejected(string eventId)
    {
        var node = _graph.IndexOf(eventId);
        return node >= 0 && _graph.IsRejected(node);
    }

    private async ValueTask<int> LoadAncestryAsync(string eventId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        var start = _graph.Intern(eventId);
        if (_after.ContainsKey(start))
        {
            return start;
        }

        await _graph.EnsureLoadedAsync([eventId], cancellationToken).ConfigureAwait(false);
        if (!_graph.IsLoaded(start))
        {
            throw new StateResolutionException($"event {eventId} is unknown");
        }

        var seen = new HashSet<int> { start };
        var frontier = new List<int> { start };
        while (frontier.Count > 0)
        {
            var wanted = new List<string>();
            foreach (var node in frontier)
            {
                if (_after.ContainsKey(node))
                {
                    continue;
                }

                foreach (var prev in _graph.Pdu(node).PrevEvents)
                {
                    var prevNode = _graph.Intern(prev);
                    if (seen.Add(prevNode))
                    {
                        wanted.Add(prev);
                    }
                }
            }

            await _graph.EnsureLoadedAsync(wanted, cancellationToken).ConfigureAwait(false);
            frontier = [];
            foreach (var id in wanted)
            {
                var node = _graph.IndexOf(id);
                if (!_graph.IsLoaded(node))
                {
                    throw new StateResolutionException($"prev event {id} is unknown");
                }

                frontier.Add(node);
            }
        }

        return start;
    }

    /// <summary>Computes the states at <paramref name="target"/> and its unprocessed ancestors, oldest first.</summary>
    private void Compute(int target)
    {
        if (_after.ContainsKey(target))
        {
            return;
        }

        var stack = new Stack<(int Node, int Next)>();
        var onStack = new HashSet<int> { target };
        stack.Push((target, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var prevs = _graph.Pdu(node).PrevEvents;
            var descended = false;
            while (next < prevs.Count)
            {
                var prev = _graph.IndexOf(prevs[next++]);
                if (_after.ContainsKey(prev))
                {
                    continue;
                }

                if (!onStack.Add(prev))
                {
                    throw new StateResolutionException($"the prev events of {_graph.EventId(node)} form a cycle through {_graph.EventId(prev)}");
                }

                stack.Push((node, next));
                stack.Push((prev, 0));
                descended = true;
                break;
            }

            if (!descended)
            {
                ComputeOne(node);
                onStack.Remove(node);
            }
        }
    }

    private void ComputeOne(int node)
    {
        var pdu = _graph.Pdu(node);
        if (!_before.TryGetValue(node, out var before))
        {
            var prevs = new List<int>(pdu.PrevEvents.Count);
            foreach (var prev in pdu.PrevEvents)
            {
                var prevNode = _graph.IndexOf(prev);
                if (!prevs.Contains(prevNode))
                {
                    prevs.Add(prevNode);
                }
            }

            before = Before(prevs);
            _before[node] = before;
        }

        var accepted = !_graph.IsRejected(node) || _mode == DagMode.TrustDag;
        if (accepted && _mode == DagMode.RejectUnauthorised && !AuthRules.Check(pdu, AuthStateFrom(node, before)).IsAllowed)
        {
            _graph.MarkRejected(node);
            accepted = false;
        }

        var key = _graph.KeyOf(node);
        _after[node] = accepted && key >= 0 ? before.Set(key, node) : before;
    }

    private StateMap Before(List<int> prevs) => prevs.Count switch
    {
        0 => StateMap.Empty,
        1 => _after[prevs[0]],
        _ => _resolver.Resolve(prevs.ConvertAll(p => _after[p])),
    };

    private AuthState AuthStateFrom(int node, StateMap state)
    {
        var keys = AuthKeys.Of(_graph.Pdu(node));
        var authState = default(AuthState);
        foreach (var key in _graph.ReplayKeys(node))
        {
            var current = state.Get(key);
            if (current >= 0)
            {
                keys.Assign(ref authState, _graph.Pdu(current));
            }
        }

        return authState;
    }
}
