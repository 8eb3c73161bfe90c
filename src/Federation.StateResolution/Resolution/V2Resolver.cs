using System.Diagnostics;
using Federation.Protocol.Events;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Resolution;

/// <summary>
/// State resolution v2 (room versions 2–11) and v2.1 (room version 12) over a <see cref="RoomGraph"/>, computing what
/// Synapse computes (docs/state-resolution.md lists each point where that differs from the spec text).
/// </summary>
internal sealed class V2Resolver
{
    private const int InProgress = 1;
    private const int Yes = 2;
    private const int No = 3;

    private readonly RoomGraph _graph;
    private readonly bool _v21;
    private ResolutionStats? _stats;

    private readonly StampedInts _conflictedKeys = new();
    private readonly StampedInts _conflicted = new();
    private readonly StampedInts _local = new();
    private readonly StampedInts _queued = new();
    private readonly StampedInts _dominated = new();
    private readonly StampedInts _subgraph = new();
    private readonly StampedInts _full = new();
    private readonly StampedInts _sortGraph = new();
    private readonly StampedInts _mainline = new();
    private readonly List<int> _keys = [];
    private readonly List<(int Node, int Next)> _stack = [];
    private readonly List<int> _path = [];
    private readonly Dictionary<int, int> _overlay = [];
    private readonly PowerOrder _powerOrder;
    private readonly MainlineOrder _mainlineOrder;

    private ulong[] _masks = [];
    private long _visited;
    private int _words;
    private int _localCount;
    private StateMap _first = StateMap.Empty;
    private bool _useUnconflictedBase;

    private V2Resolver(RoomGraph graph, bool v21)
    {
        _graph = graph;
        _v21 = v21;
        _powerOrder = new PowerOrder(graph);
        _mainlineOrder = new MainlineOrder(graph);
    }

    /// <summary>
    /// The resolver of <paramref name="graph"/> for v2 or v2.1. Its scratch arrays grow with the graph, so one instance
    /// per graph is kept and shared by every <see cref="StateResolver"/> on it (graphs are single-threaded).
    /// </summary>
    public static V2Resolver For(RoomGraph graph, bool v21)
    {
        ref var slot = ref v21 ? ref graph.SharedV21Resolver : ref graph.SharedV2Resolver;
        return (V2Resolver)(slot ??= new V2Resolver(graph, v21));
    }

    public ResolutionStats? Stats
    {
        get => _stats;
        set => _stats = value;
    }

    /// <summary>The full conflicted set of the last resolution that had conflicts (for tests).</summary>
    internal IReadOnlyList<int> LastFullConflictedSet { get; private set; } = [];

    /// <summary>The reverse topological power order of the last resolution that had conflicts (for tests).</summary>
    internal IReadOnlyList<int> LastPowerOrder { get; private set; } = [];

    /// <summary>Size of the full conflicted set of the last resolution (0 when it had no conflicts), for metrics.</summary>
    internal int LastFullConflictedSetSize { get; private set; }

    public StateMap Resolve(IReadOnlyList<StateMap> sets)
    {
        LastFullConflictedSetSize = 0;
        if (sets.Count == 0)
        {
            return StateMap.Empty;
        }

        _first = sets[0];
        if (sets.Count == 1)
        {
            return _first;
        }

        _stats?.Resolutions += 1;
        var started = Stopwatch.GetTimestamp();

        // 1. Split: a key is unconflicted only if every set has it with the same event (missing = conflicted).
        var capacity = _graph.EventCount;
        _conflictedKeys.Reset(_graph.KeyCount);
        _keys.Clear();
        for (var i = 1; i < sets.Count; i++)
        {
            StateMap.CollectDifferentKeys(_first, sets[i], _keys);
        }

        var conflictedKeys = new List<int>();
        foreach (var key in _keys)
        {
            if (!_conflictedKeys.Has(key))
            {
                _conflictedKeys.Set(key, 1);
                conflictedKeys.Add(key);
            }
        }

        if (conflictedKeys.Count == 0)
        {
            return _first;
        }

        _stats?.ConflictedKeys += conflictedKeys.Count;
        var mark = Stopwatch.GetTimestamp();
        _stats?.SplitTicks += mark - started;

        // 2. Conflicted events, each with the bit of every set holding it.
        _words = (sets.Count + 63) >> 6;
        _localCount = 0;
        _local.Reset(capacity);
        _conflicted.Reset(capacity);
        var conflicted = new List<int>();
        for (var i = 0; i < sets.Count; i++)
        {
            foreach (var key in conflictedKeys)
            {
                var node = sets[i].Get(key);
                if (node < 0)
                {
                    continue;
                }

                SetBit(LocalOf(node), i);
                if (!_conflicted.Has(node))
                {
                    _conflicted.Set(node, 1);
                    conflicted.Add(node);
                }
            }
        }

        // 3. Full conflicted set: conflicted events ∪ auth difference (∪ conflicted subgraph in v2.1), loaded events only.
        var difference = AuthDifference(conflicted, sets.Count, capacity);
        var subgraph = _v21 ? ConflictedSubgraph(conflicted, capacity) : [];
        _full.Reset(capacity);
        var full = new List<int>(conflicted.Count + difference.Count + subgraph.Count);
        AddToFull(conflicted, full);
        AddToFull(difference, full);
        AddToFull(subgraph, full);
        if (_stats is not null)
        {
            _stats.AuthDifference += difference.Count;
            _stats.ConflictedSubgraph += subgraph.Count;
            _stats.FullConflictedSet += full.Count;
        }

        // 4. Power events and the part of their auth chains inside the full set, in reverse topological power order.
        var now = Stopwatch.GetTimestamp();
        _stats?.AuthDifferenceTicks += now - mark;
        _stats?.NodesVisited += _visited;
        _visited = 0;
        mark = now;
        var sortedPower = ReverseTopologicalPowerSort(full, capacity);
        LastFullConflictedSet = full;
        LastFullConflictedSetSize = full.Count;
        LastPowerOrder = sortedPower;

        // 5. Replay them: v2 from the unconflicted state, v2.1 from nothing.
        var sortDone = Stopwatch.GetTimestamp();
        _overlay.Clear();
        _useUnconflictedBase = !_v21;
        IterativeAuthChecks(sortedPower);

        // 6. The rest by mainline order of the resolved power levels, replayed on top.
        var leftover = new List<int>(full.Count - sortedPower.Count);
        foreach (var node in full)
        {
            if (_sortGraph.Get(node) == 0)
            {
                leftover.Add(node);
            }
        }

        var replayMark = Stopwatch.GetTimestamp();
        MainlineSort(leftover, capacity);
        now = Stopwatch.GetTimestamp();
        _stats?.SortTicks += (now - mark) - (replayMark - sortDone);
        mark = now;
        IterativeAuthChecks(leftover);

        // 7. Unconflicted state always applies.
        var builder = _first.ToBuilder();
        foreach (var key in conflictedKeys)
        {
            if (_overlay.TryGetValue(key, out var node))
            {
                builder.Set(key, node);
            }
            else
            {
                builder.Remove(key);
            }
        }

        foreach (var (key, node) in _overlay)
        {
            if (!_conflictedKeys.Has(key) && _first.Get(key) < 0)
            {
                builder.Set(key, node);
            }
        }

        var result = builder.ToStateMap();
        _stats?.ReplayTicks += Stopwatch.GetTimestamp() - mark + (replayMark - sortDone);
        return result;
    }

    // ---- auth difference ----

    /// <summary>
    /// Events in some but not all of the sets' auth chains, where a set's auth chain includes the set's own events
    /// (Synapse). Walks back from the conflicted events in decreasing auth depth, carrying per-set bits, and stops at
    /// events every set reaches: those whose bits are full, unconflicted events, and events some unconflicted event or
    /// full event descends from (found by a memoised forward search over the child edges).
    /// </summary>
    private List<int> AuthDifference(List<int> conflicted, int setCount, int capacity)
    {
        var difference = new List<int>();
        var queue = new PriorityQueue<int, int>(conflicted.Count * 2);
        _queued.Reset(capacity);
        _dominated.Reset(capacity);
        foreach (var node in conflicted)
        {
            _queued.Set(node, 1);
            queue.Enqueue(node, -_graph.Depth(node));
        }

        while (queue.TryDequeue(out var node, out _))
        {
            _visited++;
            if (IsUnconflicted(node))
            {
                continue;
            }

            var local = _local.Get(node, -1);
            if (local < 0 || IsFull(local, setCount) || IsDominated(node, setCount))
            {
                continue;
            }

            difference.Add(node);
            foreach (var parent in _graph.AuthParents(node))
            {
                var parentLocal = LocalOf(parent);
                OrBits(parentLocal, _local.Get(node));
                if (!_queued.Has(parent))
                {
                    _queued.Set(parent, 1);
                    queue.Enqueue(parent, -_graph.Depth(parent));
                }
            }
        }

        return difference;
    }

    private bool IsUnconflicted(int node)
    {
        var key = _graph.KeyOf(node);
        return key >= 0 && !_conflictedKeys.Has(key) && _first.Get(key) == node;
    }

    /// <summary>Whether some descendant of <paramref name="start"/> is unconflicted or reached by every set.</summary>
    private bool IsDominated(int start, int setCount)
    {
        var status = _dominated.Get(start);
        if (status != 0)
        {
            return status == Yes;
        }

        _stack.Clear();
        _dominated.Set(start, InProgress);
        _stack.Add((start, 0));
        while (_stack.Count > 0)
        {
            var top = _stack.Count - 1;
            var (node, next) = _stack[top];
            var children = _graph.Children(node);
            if (next >= children.Length)
            {
                _dominated.Set(node, No);
                _stack.RemoveAt(top);
                continue;
            }

            _stack[top] = (node, next + 1);
            var child = children[next];
            var childStatus = _dominated.Get(child);
            if (childStatus == Yes
                || (childStatus == 0 && (IsUnconflicted(child) || (_local.TryGet(child, out var local) && IsFull(local, setCount)))))
            {
                foreach (var (onPath, _) in _stack)
                {
                    _dominated.Set(onPath, Yes);
                }

                _dominated.Set(child, Yes);
                _stack.Clear();
                return true;
            }

            _visited++;
            if (childStatus == 0)
            {
                _dominated.Set(child, InProgress);
                _stack.Add((child, 0));
            }
        }

        return false;
    }

    private int LocalOf(int node)
    {
        if (_local.TryGet(node, out var local))
        {
            return local;
        }

        local = _localCount++;
        _local.Set(node, local);
        var needed = _localCount * _words;
        if (_masks.Length < needed)
        {
            Array.Resize(ref _masks, Math.Max(needed, _masks.Length * 2));
        }

        _masks.AsSpan(local * _words, _words).Clear();
        return local;
    }

    private void SetBit(int local, int set) => _masks[(local * _words) + (set >> 6)] |= 1UL << (set & 63);

    private void OrBits(int target, int source)
    {
        for (var w = 0; w < _words; w++)
        {
            _masks[(target * _words) + w] |= _masks[(source * _words) + w];
        }
    }

    private bool IsFull(int local, int setCount)
    {
        for (var w = 0; w < _words; w++)
        {
            var bits = Math.Min(64, setCount - (w * 64));
            var expected = bits == 64 ? ulong.MaxValue : (1UL << bits) - 1;
            if (_masks[(local * _words) + w] != expected)
            {
                return false;
            }
        }

        return true;
    }

    // ---- conflicted subgraph (v2.1) ----

    /// <summary>
    /// Events on an auth path from one conflicted event to another (endpoints included): ancestors of conflicted
    /// events that have a conflicted ancestor. The backward walk stops at the smallest auth depth of a conflicted
    /// event, below which no event can have a conflicted ancestor.
    /// </summary>
    private List<int> ConflictedSubgraph(List<int> conflicted, int capacity)
    {
        const int Visited = 1;
        const int Reaches = 2;
        var minDepth = int.MaxValue;
        foreach (var node in conflicted)
        {
            minDepth = Math.Min(minDepth, _graph.Depth(node));
        }

        _subgraph.Reset(capacity);
        var visited = new List<int>();
        var stack = new Stack<int>();
        foreach (var node in conflicted)
        {
            _subgraph.Set(node, Visited);
            visited.Add(node);
            stack.Push(node);
        }

        while (stack.Count > 0)
        {
            foreach (var parent in _graph.AuthParents(stack.Pop()))
            {
                if (!_subgraph.Has(parent) && _graph.IsLoaded(parent) && _graph.Depth(parent) > minDepth)
                {
                    _subgraph.Set(parent, Visited);
                    _visited++;
                    visited.Add(parent);
                    stack.Push(parent);
                }
            }
        }

        visited.Sort((a, b) => _graph.Depth(a).CompareTo(_graph.Depth(b)));
        var result = new List<int>();
        foreach (var node in visited)
        {
            var reaches = false;
            foreach (var parent in _graph.AuthParents(node))
            {
                if (_conflicted.Has(parent) || _subgraph.Get(parent) == Reaches)
                {
                    reaches = true;
                    break;
                }
            }

            if (reaches)
            {
                _subgraph.Set(node, Reaches);
            }

            if (reaches || _conflicted.Has(node))
            {
                result.Add(node);
            }
        }

        return result;
    }

    private void AddToFull(List<int> nodes, List<int> full)
    {
        foreach (var node in nodes)
        {
            if (!_full.Has(node) && _graph.IsLoaded(node))
            {
                _full.Set(node, 1);
                full.Add(node);
            }
        }
    }

    // ---- reverse topological power ordering ----

    private static bool IsPowerEvent(RoomGraph graph, int node)
    {
        var key = graph.KeyOf(node);
        if (key == graph.PowerLevelsKey || key == graph.JoinRulesKey || key == graph.CreateKey)
        {
            return true;
        }

        var pdu = graph.Pdu(node);
        return pdu.Type == EventTypes.Member && pdu.Membership is "leave" or "ban" && pdu.Sender != pdu.StateKey;
    }

    /// <summary>
    /// The power events of the full set plus everything reachable from them through auth edges that stay inside the
    /// full set (Synapse walks only through full-set members), sorted by Kahn's algorithm over those edges, always
    /// taking the smallest ready event by (higher sender power, earlier origin_server_ts, smaller event id).
    /// </summary>
    private List<int> ReverseTopologicalPowerSort(List<int> full, int capacity)
    {
        _sortGraph.Reset(capacity);
        var nodes = new List<int>();
        var stack = new Stack<int>();
        foreach (var node in full)
        {
            if (!_sortGraph.Has(node) && IsPowerEvent(_graph, node))
            {
                _sortGraph.Set(node, nodes.Count + 1);
                nodes.Add(node);
                stack.Push(node);
                while (stack.Count > 0)
                {
                    foreach (var parent in _graph.AuthParents(stack.Pop()))
                    {
                        if (_full.Has(parent) && !_sortGraph.Has(parent))
                        {
                            _sortGraph.Set(parent, nodes.Count + 1);
                            nodes.Add(parent);
                            stack.Push(parent);
                        }
                    }
                }
            }
        }

        _stats?.PowerEvents += nodes.Count;

        // Out-degree = auth parents inside the full set; reverse edges in CSR form.
        var outDegree = new int[nodes.Count];
        var childStart = new int[nodes.Count + 1];
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var parent in _graph.AuthParents(nodes[i]))
            {
                if (_full.Has(parent))
                {
                    outDegree[i]++;
                    childStart[_sortGraph.Get(parent)]++;
                }
            }
        }

        for (var i = 1; i <= nodes.Count; i++)
        {
            childStart[i] += childStart[i - 1];
        }

        var fill = new int[nodes.Count];
        var childList = new int[childStart[nodes.Count]];
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var parent in _graph.AuthParents(nodes[i]))
            {
                if (_full.Has(parent))
                {
                    var p = _sortGraph.Get(parent) - 1;
                    childList[childStart[p] + fill[p]++] = i;
                }
            }
        }

        var ready = new PriorityQueue<int, int>(_powerOrder);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (outDegree[i] == 0)
            {
                ready.Enqueue(nodes[i], nodes[i]);
            }
        }

        var sorted = new List<int>(nodes.Count);
        while (ready.TryDequeue(out var node, out _))
        {
            sorted.Add(node);
            var p = _sortGraph.Get(node) - 1;
            for (var c = childStart[p]; c < childStart[p + 1]; c++)
            {
                var child = childList[c];
                if (--outDegree[child] == 0)
                {
                    ready.Enqueue(nodes[child], nodes[child]);
                }
            }
        }

        return sorted;
    }

    private sealed class PowerOrder(RoomGraph graph) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            if (x == y)
            {
                return 0;
            }

            var byPower = graph.SenderPower(y).CompareTo(graph.SenderPower(x));
            if (byPower != 0)
            {
                return byPower;
            }

            var byTs = graph.Pdu(x).OriginServerTs.CompareTo(graph.Pdu(y).OriginServerTs);
            return byTs != 0 ? byTs : string.CompareOrdinal(graph.EventId(x), graph.EventId(y));
        }
    }

    // ---- mainline ordering ----

    /// <summary>
    /// Sorts by mainline depth of the resolved power levels (1 = oldest mainline event, 0 = none reached; the event
    /// itself is checked first, as Synapse does), then origin_server_ts, then event id.
    /// </summary>
    private void MainlineSort(List<int> events, int capacity)
    {
        if (events.Count == 0)
        {
            return;
        }

        _mainline.Reset(capacity);
        var powerLevels = Lookup(_graph.PowerLevelsKey);
        var mainline = new List<int>();
        for (var node = powerLevels; node >= 0; node = _graph.MainlineParent(node))
        {
            mainline.Add(node);
        }

        for (var i = 0; i < mainline.Count; i++)
        {
            _mainline.Set(mainline[i], mainline.Count - i);
        }

        // Sort keys computed once per event (not looked up inside the comparison).
        var keys = new MainlineKey[events.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            var node = events[i];
            keys[i] = new MainlineKey(MainlineDepth(node), _graph.Pdu(node).OriginServerTs, node);
        }

        Array.Sort(keys, _mainlineOrder);
        for (var i = 0; i < keys.Length; i++)
        {
            events[i] = keys[i].Node;
        }
    }

    private readonly record struct MainlineKey(int Depth, long Ts, int Node);

    private sealed class MainlineOrder(RoomGraph graph) : IComparer<MainlineKey>
    {
        public int Compare(MainlineKey x, MainlineKey y)
        {
            var byDepth = x.Depth.CompareTo(y.Depth);
            if (byDepth != 0)
            {
                return byDepth;
            }

            var byTs = x.Ts.CompareTo(y.Ts);
            return byTs != 0 ? byTs : string.CompareOrdinal(graph.EventId(x.Node), graph.EventId(y.Node));
        }
    }

    /// <summary>
    /// The mainline depth of an event: its own position if it is on the mainline, else that of the first mainline
    /// event reached through "the power-levels event among my auth events", else 0. Memoised along the path.
    /// </summary>
    private int MainlineDepth(int node)
    {
        var path = _path;
        path.Clear();
        var current = node;
        var depth = 0;
        while (current >= 0)
        {
            if (_mainline.TryGet(current, out depth))
            {
                break;
            }

            path.Add(current);
            current = _graph.MainlineParent(current);
        }

        if (current < 0)
        {
            depth = 0;
        }

        foreach (var onPath in path)
        {
            _mainline.Set(onPath, depth);
        }

        return depth;
    }

    /// <summary>Mainline depths of <paramref name="events"/> against the mainline of <paramref name="powerLevels"/> (for tests).</summary>
    internal int[] MainlineDepths(int powerLevels, IReadOnlyList<int> events)
    {
        _mainline.Reset(_graph.EventCount);
        var mainline = new List<int>();
        for (var node = powerLevels; node >= 0; node = _graph.MainlineParent(node))
        {
            mainline.Add(node);
        }

        for (var i = 0; i < mainline.Count; i++)
        {
            _mainline.Set(mainline[i], mainline.Count - i);
        }

        return [.. events.Select(MainlineDepth)];
    }

    // ---- iterative auth checks ----

    private int Lookup(int key)
    {
        if (_overlay.TryGetValue(key, out var node))
        {
            return node;
        }

        return _useUnconflictedBase && !_conflictedKeys.Has(key) ? _first.Get(key) : -1;
    }

    /// <summary>
    /// Replays events in order: each is checked against its own (non-rejected) auth events overlaid with the partially
    /// resolved state at its auth-selection keys; if allowed it is written into the partial state. Events rejected
    /// earlier are never admitted (Synapse).
    /// </summary>
    private void IterativeAuthChecks(List<int> events)
    {
        foreach (var node in events)
        {
            var key = _graph.KeyOf(node);
            if (key < 0 || _graph.IsRejected(node))
            {
                continue;
            }

            var pdu = _graph.Pdu(node);
            var keys = AuthKeys.Of(pdu);
            var state = default(AuthState);
            foreach (var parent in _graph.AuthParents(node))
            {
                if (_graph.Event(parent) is { } auth && !_graph.IsRejected(parent))
                {
                    keys.Assign(ref state, auth);
                }
            }

            foreach (var replayKey in _graph.ReplayKeys(node))
            {
                var current = Lookup(replayKey);
                if (current >= 0 && !_graph.IsRejected(current))
                {
                    keys.Assign(ref state, _graph.Pdu(current));
                }
            }

            _stats?.AuthChecks += 1;
            if (AuthRules.Check(pdu, state).IsAllowed)
            {
                _overlay[key] = node;
            }
        }
    }
}
