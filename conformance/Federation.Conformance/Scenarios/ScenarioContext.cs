using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Federation.Conformance.Remotes;
using Federation.Conformance.Running;
using Federation.Conformance.Target;
using Federation.Protocol.RoomVersions;

namespace Federation.Conformance.Scenarios;

/// <summary>
/// Everything one running scenario knows: the target, its prepared room, the remotes by alias, the remotes' DAG and
/// the names of events. Strings of the scenario go through <see cref="Substitute(string, bool)"/>: <c>{r1}</c> is
/// remote r1's server name, <c>{target}</c> the target's, <c>{room}</c> the room id, <c>{local}</c> the target's user,
/// <c>{ev:name}</c> an event id.
/// </summary>
public sealed partial class ScenarioContext(Scenario scenario, TargetServer target, ClientApi client, TimeProvider time, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);

    public Scenario Scenario { get; } = scenario;

    public TargetServer Target { get; } = target;

    public ClientApi Client { get; } = client;

    public TimeProvider Time { get; } = time;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>A prefix unique to this run of the scenario (transaction ids must not repeat on a target).</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..10];

    public Dictionary<string, FakeRemote> Remotes { get; } = new(StringComparer.Ordinal);

    /// <summary>The users each remote has in the room, by alias (the first is the default sender).</summary>
    public Dictionary<string, List<string>> RemoteUsers { get; } = new(StringComparer.Ordinal);

    public string RoomId { get; set; } = "";

    public RoomVersion Version { get; set; } = RoomVersion.Default;

    public RemoteDag Dag { get; set; } = new(RoomVersion.Default, "");

    /// <summary>The events the scenario built, by name.</summary>
    public Dictionary<string, BuiltEvent> Built { get; } = new(StringComparer.Ordinal);

    /// <summary>The event new events follow by default: the last one prepared, sent locally or built.</summary>
    public string Tip { get; set; } = "";

    public FakeRemote Remote(string alias) =>
        Remotes.TryGetValue(alias, out var remote) ? remote : throw new FormatException($"unknown remote '{alias}'");

    /// <summary>Names an event id.</summary>
    public void Name(string name, string eventId)
    {
        _ids[name] = eventId;
        _names.TryAdd(eventId, name);
    }

    /// <summary>The id of a named event; a string starting with <c>$</c> is an id already.</summary>
    public string Id(string nameOrId) =>
        nameOrId.StartsWith('$') ? nameOrId
        : _ids.TryGetValue(nameOrId, out var id) ? id
        : throw new FormatException($"unknown event name '{nameOrId}'");

    public bool CanResolve(string nameOrId) => nameOrId.StartsWith('$') || _ids.ContainsKey(nameOrId);

    /// <summary>The name of an event id, or the id itself, for messages.</summary>
    public string Describe(string eventId) => _names.TryGetValue(eventId, out var name) ? name : eventId;

    public string DescribeAll(IEnumerable<string> eventIds) => "[" + string.Join(", ", eventIds.Select(Describe).Order(StringComparer.Ordinal)) + "]";

    /// <summary>The server name of remote <paramref name="alias"/>.</summary>
    public string ServerOf(string alias) => Remote(alias).ServerName;

    /// <summary>The alias of the remote whose server is <paramref name="serverName"/>, if any.</summary>
    public string? AliasOf(string serverName) => Remotes.FirstOrDefault(r => r.Value.ServerName == serverName).Key;

    /// <summary>Replaces the placeholders; with <paramref name="escape"/>, ids are percent-encoded (for paths).</summary>
    public string Substitute(string text, bool escape = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Placeholder().Replace(text, match =>
        {
            var key = match.Groups[1].Value;
            var value = key switch
            {
                "target" => Target.ServerName,
                "room" => RoomId,
                "local" => Client.UserId,
                "version" => Version.Id,
                "now" => Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                _ when key.StartsWith("ev:", StringComparison.Ordinal) => Id(key[3..]),
                _ when Remotes.ContainsKey(key) => ServerOf(key),
                _ => throw new FormatException($"unknown placeholder {{{key}}}"),
            };
            return escape ? Uri.EscapeDataString(value) : value;
        });
    }

    /// <summary>A deep copy of <paramref name="node"/> with every string substituted.</summary>
    public JsonNode? SubstituteAll(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(Substitute(p.Key), SubstituteAll(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(SubstituteAll)]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Substitute(s)),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>The ids of a list of event names (or ids).</summary>
    public IReadOnlyList<string> Ids(JsonNode? names) =>
        names is JsonArray array ? [.. array.Select(n => Id(n!.GetValue<string>()))] : [];

    public static ScenarioFailedException Fail(string message) => new(message);

    [GeneratedRegex(@"\{([a-zA-Z0-9_:.\-]+)\}")]
    private static partial Regex Placeholder();
}
