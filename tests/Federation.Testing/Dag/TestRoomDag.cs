using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;

namespace Federation.Testing.Dag;

/// <summary>
/// Builds the PDUs of one test room by name: each event gets the id it is given (trusted, not a reference hash), a
/// depth one more than its deepest known prev, and increasing timestamps. Events need not be valid by the auth rules;
/// storage tests only need well-formed JSON with the right references.
/// </summary>
public sealed class TestRoomDag
{
    private readonly Dictionary<string, Pdu> events = new(StringComparer.Ordinal);
    private long clock = 1_700_000_000_000;

    /// <summary>Starts an empty room.</summary>
    public TestRoomDag(string roomId, string roomVersion = "10")
    {
        RoomId = roomId;
        Version = RoomVersion.Get(roomVersion);
    }

    public string RoomId { get; }

    public RoomVersion Version { get; }

    /// <summary>Events built so far, by id.</summary>
    public IReadOnlyDictionary<string, Pdu> Events => events;

    public Pdu this[string eventId] => events[eventId];

    /// <summary>The <c>m.room.create</c> event.</summary>
    public Pdu Create(string id, string creator = "@alice:test") =>
        Add(id, EventTypes.Create, "", creator, [], [], new JsonObject { ["creator"] = creator, ["room_version"] = Version.Id });

    /// <summary>An <c>m.room.member</c> event of <paramref name="user"/> about itself (or <paramref name="target"/>).</summary>
    public Pdu Member(
        string id, string user, string membership, IEnumerable<string> prevs, IEnumerable<string> auths, string? target = null) =>
        Add(id, EventTypes.Member, target ?? user, user, prevs, auths, new JsonObject { ["membership"] = membership });

    /// <summary>A state event with a small content.</summary>
    public Pdu State(
        string id, string type, string stateKey, string sender, IEnumerable<string> prevs, IEnumerable<string> auths, JsonObject? content = null) =>
        Add(id, type, stateKey, sender, prevs, auths, content ?? new JsonObject { ["value"] = id });

    /// <summary>An <c>m.room.message</c> event.</summary>
    public Pdu Message(string id, string sender, IEnumerable<string> prevs, IEnumerable<string> auths, string? body = null) =>
        Add(id, EventTypes.Message, null, sender, prevs, auths, new JsonObject { ["msgtype"] = "m.text", ["body"] = body ?? id });

    /// <summary>Any event. <paramref name="depth"/> defaults to one more than the deepest known prev (1 without any).</summary>
    public Pdu Add(
        string id,
        string type,
        string? stateKey,
        string sender,
        IEnumerable<string> prevs,
        IEnumerable<string> auths,
        JsonObject? content = null,
        long? depth = null)
    {
        var prevList = prevs.ToArray();
        var json = new JsonObject
        {
            ["auth_events"] = new JsonArray([.. auths.Select(a => (JsonNode)JsonValue.Create(a))]),
            ["content"] = content ?? new JsonObject(),
            ["depth"] = depth ?? (prevList.Length == 0 ? 1 : prevList.Max(p => events.TryGetValue(p, out var e) ? e.Depth : 0) + 1),
            ["hashes"] = new JsonObject { ["sha256"] = "dGVzdA" },
            ["origin_server_ts"] = clock++,
            ["prev_events"] = new JsonArray([.. prevList.Select(p => (JsonNode)JsonValue.Create(p))]),
            ["room_id"] = RoomId,
            ["sender"] = sender,
            ["signatures"] = new JsonObject(),
            ["type"] = type,
        };
        if (stateKey is not null)
        {
            json["state_key"] = stateKey;
        }

        var element = JsonSerializer.SerializeToElement(json);
        var pdu = Pdu.WithTrustedId(element, Version, id);
        events[id] = pdu;
        return pdu;
    }
}
