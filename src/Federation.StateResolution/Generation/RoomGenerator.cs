using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Auth;

namespace Federation.StateResolution.Generation;

/// <summary>
/// Builds deterministic synthetic rooms for tests and benchmarks: a creator, moderators and N members joining a
/// public room with power-level changes spread over the history, some membership churn (leaves, kicks, bans), then
/// <see cref="RoomGeneratorOptions.ForkWidth"/> concurrent branches of joins, leaves, display-name changes, kicks, bans,
/// power-level changes, topics and join-rule flips, optionally merged. Auth events follow the selection rules over each
/// branch's own state; event ids are trusted names (<c>$g{seed}.{n}</c>), not hashes.
/// </summary>
public sealed class RoomGenerator
{
    private const string Server = "gen.example";
    private readonly RoomGeneratorOptions _options;
    private readonly RoomVersion _version;
    private readonly Random _random;
    private readonly List<Pdu> _events = [];
    private readonly Dictionary<string, Pdu> _byId = new(StringComparer.Ordinal);
    private string _roomId = "";
    private long _ts = 1_000;
    private int _sequence;
    private int _nextUser;

    private RoomGenerator(RoomGeneratorOptions options)
    {
        _options = options;
        _version = RoomVersion.Get(options.RoomVersion);
#pragma warning disable CA5394 // Deterministic test data, not security.
        _random = new Random(options.Seed);
#pragma warning restore CA5394
    }

    private static string Creator => $"@creator:{Server}";

    public static GeneratedRoom Generate(RoomGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RoomGenerator(options).Build();
    }

    private GeneratedRoom Build()
    {
        var state = new Branch();
        var create = CreateEvent();
        state.Apply(create);
        var tip = create.EventId;
        tip = Send(state, [tip], EventTypes.Member, Creator, Creator, new JsonObject { ["membership"] = "join" });

        var moderators = new List<string>();
        var users = new JsonObject();
        if (!_version.HasPrivilegedCreators)
        {
            users[Creator] = 100;
        }

        tip = Send(state, [tip], EventTypes.PowerLevels, Creator, "", PowerLevels(users));
        tip = Send(state, [tip], EventTypes.JoinRules, Creator, "", new JsonObject { ["join_rule"] = "public" });

        var plEvery = Math.Max(1, _options.Members / Math.Max(1, _options.PowerLevelChanges));
        var plChanges = 0;
        for (var i = 0; i < _options.Members; i++)
        {
            var user = NewUser();
            tip = Send(state, [tip], EventTypes.Member, user, user, new JsonObject { ["membership"] = "join" });
            if (moderators.Count < _options.Moderators)
            {
                moderators.Add(user);
                users[user] = 50;
                tip = Send(state, [tip], EventTypes.PowerLevels, Creator, "", PowerLevels(users));
            }
            else if ((i + 1) % plEvery == 0 && plChanges < _options.PowerLevelChanges)
            {
                plChanges++;
                users[user] = 10 + (plChanges % 30);
                tip = Send(state, [tip], EventTypes.PowerLevels, Creator, "", PowerLevels(users));
            }

            if (_random.NextDouble() < _options.Churn && state.Joined.Count > moderators.Count + 2)
            {
                tip = Churn(state, [tip], moderators);
            }
        }

        var forkPoint = tip;
        var tips = new List<string>();
        for (var b = 0; b < Math.Max(1, _options.ForkWidth); b++)
        {
            var branch = state.Copy();
            var branchUsers = users.DeepClone().AsObject();
            var branchTip = forkPoint;
            var branchTs = _ts;
            for (var d = 0; d < _options.ForkDepth; d++)
            {
                _ts = branchTs + _random.Next(1, 50);
                branchTs = _ts;
                branchTip = BranchEvent(branch, branchTip, moderators, branchUsers);
            }

            tips.Add(branchTip);
        }

        string? merge = null;
        if (_options.Merge && tips.Count > 1)
        {
            _ts += 100;
            merge = Send(state, [.. tips], EventTypes.Message, Creator, null, new JsonObject { ["body"] = "merge" }, useAuthFrom: state);
        }

        return new GeneratedRoom(_version, _roomId, _events, forkPoint, tips, merge);
    }

    private string BranchEvent(Branch state, string tip, List<string> moderators, JsonObject users)
    {
        var joined = state.Joined;
        var roll = _random.Next(100);
        var unauthorised = _random.NextDouble() < _options.UnauthorisedRate;
        if (unauthorised && joined.Count > 0)
        {
            // A topic by a member without power: refused by the auth rules.
            var nobody = joined[_random.Next(joined.Count)];
            return Send(state, [tip], EventTypes.Topic, nobody, "", new JsonObject { ["topic"] = $"by {nobody}" });
        }

        switch (roll)
        {
            case < 30 when state.JoinRule == "public":
                {
                    var user = NewUser();
                    return Send(state, [tip], EventTypes.Member, user, user, new JsonObject { ["membership"] = "join" });
                }

            case < 50 when joined.Count > moderators.Count + 2:
                {
                    var user = PickPlain(joined, moderators);
                    return Send(state, [tip], EventTypes.Member, user, user, new JsonObject { ["membership"] = "join", ["displayname"] = $"n{_sequence}" });
                }

            case < 65 when joined.Count > moderators.Count + 2:
                return Churn(state, [tip], moderators);

            case < 68:
                {
                    var target = joined.Count > moderators.Count + 2 ? PickPlain(joined, moderators) : null;
                    if (target is not null)
                    {
                        users[target] = _random.Next(1, 40);
                    }

                    return Send(state, [tip], EventTypes.PowerLevels, Creator, "", PowerLevels(users));
                }

            case < 70:
                {
                    var rule = state.JoinRule == "public" ? "invite" : "public";
                    state.JoinRule = rule;
                    return Send(state, [tip], EventTypes.JoinRules, Creator, "", new JsonObject { ["join_rule"] = rule });
                }

            case < 90 when moderators.Count > 0:
                {
                    var mod = moderators[_random.Next(moderators.Count)];
                    return Send(state, [tip], EventTypes.Topic, state.IsJoined(mod) ? mod : Creator, "", new JsonObject { ["topic"] = $"t{_sequence}" });
                }

            default:
                return Send(state, [tip], EventTypes.Message, Creator, null, new JsonObject { ["body"] = $"m{_sequence}" });
        }
    }

    private string Churn(Branch state, string[] prev, List<string> moderators)
    {
        var user = PickPlain(state.Joined, moderators);
        var kind = _random.Next(3);
        if (kind == 0 || moderators.Count == 0)
        {
            return Send(state, prev, EventTypes.Member, user, user, new JsonObject { ["membership"] = "leave" });
        }

        var mod = moderators[_random.Next(moderators.Count)];
        var sender = state.IsJoined(mod) ? mod : Creator;
        return Send(state, prev, EventTypes.Member, sender, user, new JsonObject { ["membership"] = kind == 1 ? "leave" : "ban" });
    }

    private string PickPlain(List<string> joined, List<string> moderators)
    {
        for (var attempt = 0; ; attempt++)
        {
            var user = joined[_random.Next(joined.Count)];
            if ((user != Creator && !moderators.Contains(user)) || attempt > 20)
            {
                return user;
            }
        }
    }

    private string NewUser() => $"@u{_nextUser++}:{Server}";

    private static JsonObject PowerLevels(JsonObject users)
    {
        var content = new JsonObject
        {
            ["users"] = users.DeepClone(),
            ["users_default"] = 0,
            ["events_default"] = 0,
            ["state_default"] = 50,
            ["ban"] = 50,
            ["kick"] = 50,
            ["redact"] = 50,
            ["invite"] = 0,
        };
        return content;
    }

    private Pdu CreateEvent()
    {
        var json = new JsonObject
        {
            ["type"] = EventTypes.Create,
            ["state_key"] = "",
            ["sender"] = Creator,
            ["content"] = new JsonObject { ["creator"] = Creator, ["room_version"] = _version.Id },
            ["prev_events"] = new JsonArray(),
            ["auth_events"] = new JsonArray(),
            ["origin_server_ts"] = _ts++,
            ["depth"] = 1,
        };
        var id = $"$g{_options.Seed}.create";
        if (_version.RoomIdIsCreateEventHash)
        {
            _roomId = "!" + id[1..];
        }
        else
        {
            _roomId = $"!room{_options.Seed}:{Server}";
            json["room_id"] = _roomId;
        }

        return Add(json, id);
    }

    private string Send(Branch state, string[] prev, string type, string sender, string? stateKey, JsonObject content, Branch? useAuthFrom = null)
    {
        var contentElement = JsonSerializer.SerializeToElement(content);
        var authState = useAuthFrom ?? state;
        var auth = new JsonArray();
        foreach (var key in AuthEventSelection.Select(_version, type, sender, stateKey, contentElement))
        {
            if (authState.Get(key) is { } id)
            {
                auth.Add(id);
            }
        }

        var depth = 0L;
        foreach (var p in prev)
        {
            depth = Math.Max(depth, _byId[p].Depth);
        }

        var json = new JsonObject
        {
            ["room_id"] = _roomId,
            ["type"] = type,
            ["sender"] = sender,
            ["content"] = content,
            ["prev_events"] = new JsonArray([.. prev.Select(p => (JsonNode)p)]),
            ["auth_events"] = auth,
            ["origin_server_ts"] = _ts++,
            ["depth"] = depth + 1,
        };
        if (stateKey is not null)
        {
            json["state_key"] = stateKey;
        }

        var pdu = Add(json, $"$g{_options.Seed}.{_sequence++}");
        state.Apply(pdu);
        return pdu.EventId;
    }

    private Pdu Add(JsonObject json, string id)
    {
        var pdu = Pdu.WithTrustedId(JsonSerializer.SerializeToElement(json), _version, id);
        _events.Add(pdu);
        _byId[id] = pdu;
        return pdu;
    }

    /// <summary>One branch's view of the state, enough to pick auth events and plausible actions.</summary>
    private sealed class Branch
    {
        private Dictionary<StateKey, string> _state = [];
        private List<string> _joined = [];
        private Dictionary<string, int> _joinedAt = new(StringComparer.Ordinal);

        public List<string> Joined => _joined;

        public string JoinRule { get; set; } = "public";

        public bool IsJoined(string user) => _joinedAt.ContainsKey(user);

        public string? Get(StateKey key) => _state.TryGetValue(key, out var id) ? id : null;

        public void Apply(Pdu pdu)
        {
            if (pdu.StateKey is null)
            {
                return;
            }

            _state[new StateKey(pdu.Type, pdu.StateKey)] = pdu.EventId;
            if (pdu.Type == EventTypes.Member)
            {
                if (pdu.Membership == "join")
                {
                    if (_joinedAt.TryAdd(pdu.StateKey, _joined.Count))
                    {
                        _joined.Add(pdu.StateKey);
                    }
                }
                else if (_joinedAt.Remove(pdu.StateKey, out var at))
                {
                    var last = _joined[^1];
                    _joined[at] = last;
                    _joinedAt[last] = at;
                    _joined.RemoveAt(_joined.Count - 1);
                    if (last == pdu.StateKey)
                    {
                        _joinedAt.Remove(last);
                    }
                }
            }
        }

        public Branch Copy() => new()
        {
            _state = new Dictionary<StateKey, string>(_state),
            _joined = [.. _joined],
            _joinedAt = new Dictionary<string, int>(_joinedAt, StringComparer.Ordinal),
            JoinRule = JoinRule,
        };
    }
}
