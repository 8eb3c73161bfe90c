using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Events;
using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Tests.Support;

/// <summary>
/// Builds events of one room tersely. By default each new event's prev event is the previous one and its auth events
/// are selected from the linear "current" state, which is updated with every state event added.
/// </summary>
internal sealed class TestRoom
{
    public const string Alice = "@alice:foo";
    public const string Bob = "@bob:foo";
    public const string Carol = "@carol:foo";
    public const string Erin = "@erin:foo";
    public const string Remote = "@rita:remote";

    private readonly Dictionary<StateKey, string> _state = [];
    private readonly Dictionary<string, (string? Last, StateKey? Key, string? Previous)> _undo = new(StringComparer.Ordinal);
    private string? _last;
    private long _ts = 1;

    public TestRoom(string version = "10", string creator = Alice, object? createContent = null)
    {
        Version = RoomVersion.Get(version);
        var content = JsonSerializer.SerializeToNode(createContent ?? new { creator })!.AsObject();
        if (Version.RoomIdIsCreateEventHash)
        {
            RoomId = "!create";
        }
        else
        {
            RoomId = "!room:foo";
        }

        Create = Add("$create", EventTypes.Create, creator, "", content, prev: []);
    }

    public RoomVersion Version { get; }

    public string RoomId { get; }

    public Pdu Create { get; }

    public InMemoryEventSource Source { get; } = new();

    public Dictionary<string, Pdu> Events { get; } = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<StateKey, string> State => _state;

    public Pdu this[string id] => Events[id];

    /// <summary>A standard start: creator joins, power levels (creator 100 unless v12), public join rules.</summary>
    public TestRoom Bootstrap(object? powerLevels = null, string joinRule = "public")
    {
        var creator = Create.Sender;
        Join("$join-creator", creator);
        PowerLevels("$pl", powerLevels ?? (Version.HasPrivilegedCreators ? new { users = new Dictionary<string, int>() } : new { users = new Dictionary<string, int> { [creator] = 100 } }));
        Add("$jr", EventTypes.JoinRules, creator, "", new { join_rule = joinRule });
        return this;
    }

    public Pdu Join(string id, string user, string[]? prev = null, string[]? auth = null, long? ts = null) =>
        Member(id, user, user, "join", prev: prev, auth: auth, ts: ts);

    public Pdu Member(string id, string sender, string target, string membership, object? extra = null, string[]? prev = null, string[]? auth = null, long? ts = null)
    {
        var content = extra is null ? [] : JsonSerializer.SerializeToNode(extra)!.AsObject();
        content["membership"] = membership;
        return Add(id, EventTypes.Member, sender, target, content, prev, auth, ts);
    }

    public Pdu PowerLevels(string id, object content, string? sender = null, string[]? prev = null, string[]? auth = null, long? ts = null) =>
        Add(id, EventTypes.PowerLevels, sender ?? Create.Sender, "", content, prev, auth, ts);

    public Pdu Topic(string id, string sender, string topic, string[]? prev = null, string[]? auth = null, long? ts = null) =>
        Add(id, EventTypes.Topic, sender, "", new { topic }, prev, auth, ts);

    /// <summary>Adds an event. <paramref name="auth"/> null = select from the current state; <paramref name="prev"/> null = the last event.</summary>
    public Pdu Add(
        string id,
        string type,
        string sender,
        string? stateKey,
        object content,
        string[]? prev = null,
        string[]? auth = null,
        long? ts = null,
        bool updateState = true)
    {
        var contentNode = content as JsonObject ?? JsonSerializer.SerializeToNode(content)!.AsObject();
        var contentElement = JsonSerializer.SerializeToElement(contentNode);
        auth ??= [.. AuthEventSelection.Select(Version, type, sender, stateKey, contentElement)
            .Where(_state.ContainsKey).Select(k => _state[k])];
        prev ??= _last is null ? [] : [_last];
        var json = new JsonObject
        {
            ["type"] = type,
            ["sender"] = sender,
            ["content"] = contentNode,
            ["prev_events"] = new JsonArray([.. prev.Select(p => (JsonNode)p)]),
            ["auth_events"] = new JsonArray([.. auth.Select(a => (JsonNode)a)]),
            ["origin_server_ts"] = ts ?? _ts++,
            ["depth"] = prev.Length == 0 ? 1 : prev.Max(p => Events.TryGetValue(p, out var e) ? e.Depth : 0) + 1,
        };
        if (!(Version.RoomIdIsCreateEventHash && type == EventTypes.Create))
        {
            json["room_id"] = RoomId;
        }

        if (stateKey is not null)
        {
            json["state_key"] = stateKey;
        }

        var pdu = Pdu.WithTrustedId(JsonSerializer.SerializeToElement(json), Version, id);
        Events[id] = pdu;
        Source.Add(pdu);
        StateKey? key = stateKey is null ? null : new StateKey(type, stateKey);
        _undo[id] = (_last, key, key is { } k && _state.TryGetValue(k, out var previous) ? previous : null);
        _last = id;
        if (updateState && key is { } newKey)
        {
            _state[newKey] = id;
        }

        return pdu;
    }

    /// <summary>Takes <paramref name="pdu"/> back out of the current state (it stays in the source): a probe event.</summary>
    public void Undo(Pdu pdu)
    {
        var (last, key, previous) = _undo[pdu.EventId];
        _last = last;
        if (key is { } k && _state.TryGetValue(k, out var current) && current == pdu.EventId)
        {
            if (previous is null)
            {
                _state.Remove(k);
            }
            else
            {
                _state[k] = previous;
            }
        }
    }

    /// <summary>The events of the current state (for auth checks against it).</summary>
    public IEnumerable<Pdu> CurrentState() => _state.Values.Select(id => Events[id]);

    public Dictionary<StateKey, string> Snapshot() => new(_state);

    /// <summary>Resets the linear cursor so the next event forks from <paramref name="eventId"/> with the given state.</summary>
    public void ForkFrom(string eventId, IReadOnlyDictionary<StateKey, string> state)
    {
        _last = eventId;
        _state.Clear();
        foreach (var (k, v) in state)
        {
            _state[k] = v;
        }
    }

    public async Task<(RoomGraph Graph, List<StateMap> Maps)> LoadAsync(params IReadOnlyDictionary<StateKey, string>[] sets)
    {
        var graph = new RoomGraph(Version, Source);
        var maps = new List<StateMap>();
        foreach (var set in sets)
        {
            maps.Add(await graph.LoadStateAsync(set));
        }

        return (graph, maps);
    }
}
