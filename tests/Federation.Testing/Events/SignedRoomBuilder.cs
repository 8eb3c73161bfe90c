using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Auth;

namespace Federation.Testing.Events;

/// <summary>
/// Builds a linear room the way its servers would: every event hashed and signed by its sender's server, with
/// <c>prev_events</c> = the previous event and <c>auth_events</c> chosen from the current state by the auth-event
/// selection rules. Servers are added with <see cref="AddServer"/>; the first one's user creates the room.
/// </summary>
public sealed class SignedRoomBuilder
{
    private readonly Dictionary<string, ServerIdentity> _servers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, string StateKey), Pdu> _state = [];
    private readonly List<Pdu> _events = [];
    private long _timestamp = 1_700_000_000_000;

    public SignedRoomBuilder(RoomVersion version, params ServerIdentity[] servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        Version = version;
        foreach (var server in servers)
        {
            AddServer(server);
        }
    }

    public RoomVersion Version { get; }

    /// <summary>The room id (known once the create event exists).</summary>
    public string RoomId { get; private set; } = "";

    /// <summary>Every event, in the order built.</summary>
    public IReadOnlyList<Pdu> Events => _events;

    public Pdu Last => _events[^1];

    /// <summary>The current state, (type, state key) → event.</summary>
    public IReadOnlyDictionary<(string Type, string StateKey), Pdu> State => _state;

    public void AddServer(ServerIdentity server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _servers[server.ServerName] = server;
    }

    /// <summary>The standard opening: create, creator's join, power levels (creator 100), public join rules.</summary>
    public SignedRoomBuilder CreatePublicRoom(string creator)
    {
        var createContent = new JsonObject { ["room_version"] = Version.Id };
        if (!Version.CreatorIsCreateEventSender)
        {
            createContent["creator"] = creator;
        }

        Add(creator, EventTypes.Create, "", createContent);
        Add(creator, EventTypes.Member, creator, new JsonObject { ["membership"] = "join" });
        var users = new JsonObject();
        if (!Version.HasPrivilegedCreators)
        {
            users[creator] = 100;
        }

        Add(creator, EventTypes.PowerLevels, "", new JsonObject { ["users"] = users });
        Add(creator, EventTypes.JoinRules, "", new JsonObject { ["join_rule"] = "public" });
        return this;
    }

    public Pdu Join(string user) => Add(user, EventTypes.Member, user, new JsonObject { ["membership"] = "join" });

    public Pdu Message(string sender, string body) =>
        Add(sender, EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = body });

    /// <summary>
    /// Adds an event after the last one. <paramref name="prevEvents"/> overrides the default single prev event, and
    /// <paramref name="authEvents"/> the auth events the rules select from the current state (to forge a history).
    /// </summary>
    public Pdu Add(
        string sender, string type, string? stateKey, JsonObject content, IReadOnlyList<string>? prevEvents = null, IReadOnlyList<string>? authEvents = null)
    {
        ArgumentNullException.ThrowIfNull(content);
        var server = _servers[MatrixIds.ServerNameOf(sender) ?? throw new ArgumentException("Not a user id", nameof(sender))];
        var json = new JsonObject
        {
            ["sender"] = sender,
            ["type"] = type,
            ["content"] = content,
            ["prev_events"] = new JsonArray((prevEvents ?? (_events.Count == 0 ? [] : [Last.EventId])).Select(id => (JsonNode)id).ToArray()),
            ["depth"] = _events.Count == 0 ? 1 : _events.Max(e => e.Depth) + 1,
            ["origin_server_ts"] = _timestamp++,
        };
        if (stateKey is not null)
        {
            json["state_key"] = stateKey;
        }

        var isV12Create = Version.RoomIdIsCreateEventHash && type == EventTypes.Create;
        if (!isV12Create)
        {
            json["room_id"] = RoomId.Length > 0 ? RoomId : $"!room{Guid.NewGuid():N}:{server.ServerName}";
        }

        if (Version.UsesEventReferencePairs)
        {
            json["event_id"] = $"${Guid.NewGuid():N}:{server.ServerName}";
        }

        json["auth_events"] = new JsonArray((authEvents ?? AuthEventIds(sender, type, stateKey, content)).Select(id => (JsonNode)id).ToArray());
        EventSigning.HashAndSign(json, Version, server.ServerName, server.SigningKey);
        var pdu = Pdu.Parse(JsonSigning.ToElement(json), Version);
        if (RoomId.Length == 0)
        {
            RoomId = pdu.RoomId;
        }

        _events.Add(pdu);
        if (stateKey is not null)
        {
            _state[(type, stateKey)] = pdu;
        }

        return pdu;
    }

    private IEnumerable<string> AuthEventIds(string sender, string type, string? stateKey, JsonObject content)
    {
        if (type == EventTypes.Create)
        {
            return [];
        }

        var keys = AuthEventSelection.Select(Version, type, sender, stateKey, JsonSigning.ToElement(content));
        return keys.Select(key => _state.GetValueOrDefault((key.Type, key.Key))?.EventId).OfType<string>().Distinct(StringComparer.Ordinal);
    }
}
