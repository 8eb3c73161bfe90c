using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Events;

namespace Federation.StateResolution.Graph;

/// <summary>
/// The events of one room that the engine has touched, numbered densely (event id → int) with their auth edges as
/// int arrays, auth depth, state key number, rejection flag and cached sender power. Loading an event also loads its
/// whole auth chain, so every state map refers only to events whose ancestry is in memory; resolution itself is then
/// synchronous and allocation-light. Not thread-safe: use one graph per room from one logical thread at a time.
/// </summary>
public sealed class RoomGraph
{
    private const int FetchBatchSize = 1024;
    private const byte Unknown = 0;
    private const byte Loaded = 1;
    private const byte Missing = 2;

    private readonly IEventSource _source;
    private readonly Dictionary<string, int> _eventIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<StateKey, int> _keyIndex = [];
    private readonly List<StateKey> _keys = [];

    private string[] _ids = new string[256];
    private Pdu?[] _pdus = new Pdu?[256];
    private byte[] _status = new byte[256];
    private bool[] _rejected = new bool[256];
    private int[][] _auth = new int[256][];
    private int[] _depth = new int[256];
    private int[] _key = new int[256];
    private long[] _senderPower = new long[256];
    private int[] _mainlineParent = new int[256];
    private int[][] _children = new int[256][];
    private int[] _childCount = new int[256];
    private int[]?[] _replayKeys = new int[]?[256];
    private int _count;

    /// <summary>The shared v2 / v2.1 resolvers of this graph (their scratch space is sized to the graph).</summary>
    internal object? SharedV2Resolver;

    internal object? SharedV21Resolver;

    public RoomGraph(RoomVersion version, IEventSource source, string? roomId = null)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(source);
        Version = version;
        _source = source;
        RoomId = roomId;
        CreateKey = InternKey(new StateKey(EventTypes.Create, ""));
        PowerLevelsKey = InternKey(new StateKey(EventTypes.PowerLevels, ""));
        JoinRulesKey = InternKey(new StateKey(EventTypes.JoinRules, ""));
    }

    public RoomVersion Version { get; }

    /// <summary>The room's id, from the constructor or the first loaded event.</summary>
    public string? RoomId { get; private set; }

    /// <summary>How many event ids are numbered (loaded or not).</summary>
    public int EventCount => _count;

    internal int CreateKey { get; }

    internal int PowerLevelsKey { get; }

    internal int JoinRulesKey { get; }

    internal int KeyCount => _keys.Count;

    // ---- ids and keys ----

    internal int Intern(string eventId)
    {
        if (_eventIndex.TryGetValue(eventId, out var index))
        {
            return index;
        }

        index = _count++;
        if (index == _ids.Length)
        {
            Grow();
        }

        _eventIndex[eventId] = index;
        _ids[index] = eventId;
        _auth[index] = [];
        _children[index] = [];
        _key[index] = -1;
        _senderPower[index] = long.MinValue;
        _mainlineParent[index] = -2;
        return index;
    }

    /// <summary>The number of an event id, or -1 when the graph has never seen it.</summary>
    public int IndexOf(string eventId) => _eventIndex.TryGetValue(eventId, out var index) ? index : -1;

    public string EventId(int index) => _ids[index];

    internal int InternKey(StateKey key)
    {
        if (!_keyIndex.TryGetValue(key, out var index))
        {
            index = _keys.Count;
            _keys.Add(key);
            _keyIndex[key] = index;
        }

        return index;
    }

    /// <summary>The number of a state key, or -1 when no loaded event or state map used it.</summary>
    public int KeyIndexOf(StateKey key) => _keyIndex.TryGetValue(key, out var index) ? index : -1;

    public StateKey Key(int keyIndex) => _keys[keyIndex];

    // ---- per-event data ----

    /// <summary>The event, or <c>null</c> when it is not loaded (unknown to the source).</summary>
    public Pdu? Event(int index) => _pdus[index];

    internal Pdu Pdu(int index) => _pdus[index]!;

    public bool IsLoaded(int index) => _status[index] == Loaded;

    public bool IsRejected(int index) => _rejected[index];

    /// <summary>Marks an event rejected (it failed auth against the state before it); it never enters state afterwards.</summary>
    public void MarkRejected(int index) => _rejected[index] = true;

    /// <summary>Auth parents (distinct, in <c>auth_events</c> order; in v12 the create event named by the room id is appended).</summary>
    internal int[] AuthParents(int index) => _auth[index];

    internal ReadOnlySpan<int> Children(int index) => _children[index].AsSpan(0, _childCount[index]);

    /// <summary>1 + the largest auth depth of the auth parents (1 for an event with none, 0 for unknown events).</summary>
    internal int Depth(int index) => _depth[index];

    /// <summary>The state key number of a state event, else -1.</summary>
    internal int KeyOf(int index) => _key[index];

    // ---- loading ----

    /// <summary>Loads the given events and their whole auth chains (events the source lacks are remembered as missing).</summary>
    public async ValueTask EnsureLoadedAsync(IEnumerable<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var pending = new List<int>();
        foreach (var id in eventIds)
        {
            var index = Intern(id);
            if (_status[index] == Unknown)
            {
                pending.Add(index);
            }
        }

        await LoadAsync(pending, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask LoadAsync(List<int> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }

        var loaded = new List<int>();
        var seen = new HashSet<int>(pending);
        var ids = new List<string>(FetchBatchSize);
        while (pending.Count > 0)
        {
            var next = new List<int>();
            for (var start = 0; start < pending.Count; start += FetchBatchSize)
            {
                ids.Clear();
                var end = Math.Min(pending.Count, start + FetchBatchSize);
                for (var i = start; i < end; i++)
                {
                    ids.Add(_ids[pending[i]]);
                }

                var answers = await _source.GetEventsAsync(ids, cancellationToken).ConfigureAwait(false);
                for (var i = start; i < end; i++)
                {
                    var index = pending[i];
                    var answer = answers[i - start];
                    if (answer.Event is not { } pdu)
                    {
                        _status[index] = Missing;
                        continue;
                    }

                    Accept(index, pdu, answer.IsRejected);
                    loaded.Add(index);
                    foreach (var parent in _auth[index])
                    {
                        if (_status[parent] == Unknown && seen.Add(parent))
                        {
                            next.Add(parent);
                        }
                    }
                }
            }

            pending = next;
        }

        ComputeDepths(loaded);
        foreach (var index in loaded)
        {
            foreach (var parent in _auth[index])
            {
                AddChild(parent, index);
            }
        }
    }

    private void Accept(int index, Pdu pdu, bool rejected)
    {
        if (pdu.EventId != _ids[index])
        {
            throw new StateResolutionException($"the event source answered {pdu.EventId} when asked for {_ids[index]}");
        }

        if (pdu.RoomVersion != Version)
        {
            throw new StateResolutionException($"event {pdu.EventId} is of room version {pdu.RoomVersion.Id}, not {Version.Id}");
        }

        RoomId ??= pdu.RoomId;
        if (pdu.RoomId != RoomId)
        {
            throw new StateResolutionException($"event {pdu.EventId} is in room {pdu.RoomId}, not {RoomId}");
        }

        _pdus[index] = pdu;
        _status[index] = Loaded;
        _rejected[index] |= rejected;
        if (pdu.StateKey is not null)
        {
            _key[index] = InternKey(new StateKey(pdu.Type, pdu.StateKey));
        }

        var parents = new List<int>(pdu.AuthEvents.Count + 1);
        foreach (var id in pdu.AuthEvents)
        {
            var parent = Intern(id);
            if (!parents.Contains(parent))
            {
                parents.Add(parent);
            }
        }

        if (Version.RoomIdIsCreateEventHash && !pdu.IsCreateEvent && pdu.RoomId.Length > 1)
        {
            // v12: the create event is an implied auth event of every other event (Synapse adds it to auth_event_ids).
            var create = Intern("$" + pdu.RoomId[1..]);
            if (!parents.Contains(create))
            {
                parents.Add(create);
            }
        }

        _auth[index] = [.. parents];
    }

    private void ComputeDepths(List<int> loaded)
    {
        // Iterative post-order over the newly loaded events; older events already have their depth.
        const int InProgress = -1;
        var stack = new Stack<(int Node, int Next)>();
        foreach (var start in loaded)
        {
            if (_depth[start] != 0)
            {
                continue;
            }

            _depth[start] = InProgress;
            stack.Push((start, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var parents = _auth[node];
                var descended = false;
                while (next < parents.Length)
                {
                    var parent = parents[next++];
                    if (_status[parent] != Loaded)
                    {
                        continue;
                    }

                    if (_depth[parent] == InProgress)
                    {
                        throw new StateResolutionException($"the auth events of {_ids[node]} form a cycle through {_ids[parent]}");
                    }

                    if (_depth[parent] == 0)
                    {
                        stack.Push((node, next));
                        _depth[parent] = InProgress;
                        stack.Push((parent, 0));
                        descended = true;
                        break;
                    }
                }

                if (descended)
                {
                    continue;
                }

                var depth = 0;
                foreach (var parent in parents)
                {
                    depth = Math.Max(depth, _status[parent] == Loaded ? _depth[parent] : 0);
                }

                _depth[node] = depth + 1;
            }
        }
    }

    private void AddChild(int parent, int child)
    {
        ref var list = ref _children[parent];
        if (_childCount[parent] == list.Length)
        {
            Array.Resize(ref list, Math.Max(4, list.Length * 2));
        }

        list[_childCount[parent]++] = child;
    }

    private void Grow()
    {
        var size = _ids.Length * 2;
        Array.Resize(ref _ids, size);
        Array.Resize(ref _pdus, size);
        Array.Resize(ref _status, size);
        Array.Resize(ref _rejected, size);
        Array.Resize(ref _auth, size);
        Array.Resize(ref _depth, size);
        Array.Resize(ref _key, size);
        Array.Resize(ref _senderPower, size);
        Array.Resize(ref _mainlineParent, size);
        Array.Resize(ref _children, size);
        Array.Resize(ref _childCount, size);
        Array.Resize(ref _replayKeys, size);
    }

    // ---- state maps ----

    /// <summary>
    /// Builds a state map from (key, event id) entries, loading the events and their auth chains.
    /// </summary>
    /// <exception cref="StateResolutionException">An event is unknown to the source.</exception>
    public ValueTask<StateMap> LoadStateAsync(IEnumerable<KeyValuePair<StateKey, string>> entries, CancellationToken cancellationToken = default) =>
        LoadStateAsync(entries, basedOn: null, cancellationToken);

    /// <summary>
    /// As <see cref="LoadStateAsync(IEnumerable{KeyValuePair{StateKey, string}}, CancellationToken)"/>, building the map
    /// as a set of changes to <paramref name="basedOn"/> so that the two share structure: resolving maps loaded this way
    /// costs time in proportion to their differences rather than their size.
    /// </summary>
    public async ValueTask<StateMap> LoadStateAsync(
        IEnumerable<KeyValuePair<StateKey, string>> entries,
        StateMap? basedOn,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var list = entries as IReadOnlyCollection<KeyValuePair<StateKey, string>> ?? [.. entries];
        await EnsureLoadedAsync(list.Select(e => e.Value), cancellationToken).ConfigureAwait(false);
        var builder = (basedOn ?? StateMap.Empty).ToBuilder();
        var seen = basedOn is null ? null : new HashSet<int>();
        foreach (var (key, eventId) in list)
        {
            var index = Intern(eventId);
            if (!IsLoaded(index))
            {
                throw new StateResolutionException($"state event {eventId} at {key} is unknown");
            }

            var keyIndex = InternKey(key);
            seen?.Add(keyIndex);
            if (builder.Get(keyIndex) != index)
            {
                builder.Set(keyIndex, index);
            }
        }

        if (basedOn is not null)
        {
            foreach (var (keyIndex, _) in basedOn.ToList())
            {
                if (!seen!.Contains(keyIndex))
                {
                    builder.Remove(keyIndex);
                }
            }
        }

        return builder.ToStateMap();
    }

    /// <summary>The entries of a state map as (key, event id), sorted by type then state key (ordinal).</summary>
    public List<KeyValuePair<StateKey, string>> ToEntries(StateMap state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var list = new List<KeyValuePair<StateKey, string>>(state.Count);
        state.ForEach((key, index) => list.Add(new KeyValuePair<StateKey, string>(_keys[key], _ids[index])));
        list.Sort((a, b) => a.Key.CompareTo(b.Key));
        return list;
    }

    /// <summary>The event id at <paramref name="key"/> in <paramref name="state"/>, or <c>null</c>.</summary>
    public string? Get(StateMap state, StateKey key)
    {
        ArgumentNullException.ThrowIfNull(state);
        var keyIndex = KeyIndexOf(key);
        var index = keyIndex < 0 ? -1 : state.Get(keyIndex);
        return index < 0 ? null : _ids[index];
    }

    // ---- cached per-event facts used by the algorithms ----

    /// <summary>
    /// The sender's power level by the event's own auth events (Synapse's <c>_get_power_level_for_sender</c>): v12
    /// creators 2^53; the last power-levels auth event's users[sender], else users_default, else 0; with none, 100 for
    /// the creator and 0 for others. Cached per event.
    /// </summary>
    internal long SenderPower(int index)
    {
        var cached = _senderPower[index];
        if (cached != long.MinValue)
        {
            return cached;
        }

        var pdu = Pdu(index);
        Pdu? powerLevels = null;
        Pdu? create = null;
        foreach (var parent in _auth[index])
        {
            if (_pdus[parent] is not { } auth || auth.StateKey is not { Length: 0 })
            {
                continue;
            }

            if (auth.Type == EventTypes.PowerLevels)
            {
                powerLevels = auth;
            }
            else if (auth.Type == EventTypes.Create)
            {
                create = auth;
            }
        }

        long power;
        if (create is not null && RoomCreators.IsPrivilegedCreator(create, pdu.Sender))
        {
            power = RoomCreators.PrivilegedCreatorPower;
        }
        else if (powerLevels is null)
        {
            power = create is not null && RoomCreators.Creator(create) == pdu.Sender ? 100 : 0;
        }
        else
        {
            power = AuthRules.UserLevel(pdu.Sender, null, powerLevels);
        }

        _senderPower[index] = power;
        return power;
    }

    /// <summary>The first power-levels event among the event's auth events (the mainline step), or -1.</summary>
    internal int MainlineParent(int index)
    {
        var cached = _mainlineParent[index];
        if (cached != -2)
        {
            return cached;
        }

        var result = -1;
        foreach (var parent in _auth[index])
        {
            if (_key[parent] == PowerLevelsKey && _status[parent] == Loaded)
            {
                result = parent;
                break;
            }
        }

        _mainlineParent[index] = result;
        return result;
    }

    /// <summary>The state keys replaying this event reads from the partial state (selection plus create), as numbers.</summary>
    internal int[] ReplayKeys(int index)
    {
        if (_replayKeys[index] is { } cached)
        {
            return cached;
        }

        var keys = new List<StateKey>(7);
        AuthEventSelection.AddReplayKeys(Pdu(index), keys);
        var result = new int[keys.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = InternKey(keys[i]);
        }

        _replayKeys[index] = result;
        return result;
    }
}
