using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Fuzz.Tests.Harness;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Fuzz.Tests.Generation;

/// <summary>
/// Valid events of every room version, hashed and signed for real by <see cref="FuzzKeys.Origin"/>: each of the event
/// types whose fields the parser or redaction reads (create, member, power levels, join rules, aliases, redaction),
/// plus messages and unknown types with random content, references in the version's format, and the optional fields
/// (<c>origin</c>, <c>unsigned</c>) servers add.
/// </summary>
public static class SignedPduGenerator
{
    public static GeneratedPdu Next(FuzzRandom random) => Next(random, random.Pick(RoomVersion.All));

    public static GeneratedPdu Next(FuzzRandom random, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(version);
        var pdu = BeforeSigning(random, version);
        EventSigning.HashAndSign(pdu, version, FuzzKeys.Origin.ServerName, FuzzKeys.Origin.SigningKey);
        if (random.OneIn(3))
        {
            pdu["unsigned"] = new JsonObject { ["age"] = random.Next(1_000_000) };
        }

        // Sent canonically as real servers do, or in any other spelling of the same JSON.
        var text = random.NextBool()
            ? CanonicalJson.Encode(JsonSigning.ToElement(pdu))
            : JsonTextFormatter.Write(random, pdu);
        return new GeneratedPdu(version, text);
    }

    /// <summary>The event before hashing and signing.</summary>
    public static JsonObject BeforeSigning(FuzzRandom random, RoomVersion version)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(version);
        var server = FuzzKeys.Origin.ServerName;
        var sender = $"@{RandomText.Identifier(random)}:{server}";
        var (type, stateKey, content) = random.Next(9) switch
        {
            0 => Create(random, version, sender),
            1 => (EventTypes.Member, $"@{RandomText.Identifier(random)}:{server}", Member(random, version)),
            2 => (EventTypes.PowerLevels, "", PowerLevels(random, sender)),
            3 => (EventTypes.JoinRules, "", JoinRules(random)),
            4 => (EventTypes.Aliases, server, new JsonObject { ["aliases"] = new JsonArray($"#{RandomText.Identifier(random)}:{server}") }),
            5 => (EventTypes.Redaction, null, new JsonObject()),
            6 => ($"org.fuzz.{RandomText.Identifier(random)}", RandomText.Next(random, 8), JsonNodeGenerator.ObjectOf(random, version.EnforcesCanonicalJson, 1, 6)),
            _ => (EventTypes.Message, null, Message(random, version)),
        };

        var pdu = new JsonObject
        {
            ["type"] = type,
            ["sender"] = sender,
            ["content"] = content,
            ["depth"] = random.NextInt64(1, 1L << 40),
            ["origin_server_ts"] = random.NextInt64(0, 4_000_000_000_000),
            ["prev_events"] = References(random, version, type == EventTypes.Create ? 0 : 3),
            ["auth_events"] = References(random, version, type == EventTypes.Create ? 0 : 4),
        };
        if (stateKey is not null)
        {
            pdu["state_key"] = stateKey;
        }

        if (!(version.RoomIdIsCreateEventHash && type == EventTypes.Create))
        {
            pdu["room_id"] = version.RoomIdIsCreateEventHash ? "!" + EventIdBody(random, version) : $"!{RandomText.Identifier(random)}:{server}";
        }

        if (version.UsesEventReferencePairs)
        {
            pdu["event_id"] = $"${RandomText.Identifier(random)}:{server}";
        }

        if (type == EventTypes.Redaction)
        {
            var target = "$" + EventIdBody(random, version);
            if (version.RedactsInContent)
            {
                content["redacts"] = target;
            }
            else
            {
                pdu["redacts"] = target;
            }
        }

        if (!version.UsesV11Redaction && random.NextBool())
        {
            pdu["origin"] = server;
        }

        return pdu;
    }

    private static (string, string?, JsonObject) Create(FuzzRandom random, RoomVersion version, string sender)
    {
        var content = new JsonObject { ["room_version"] = version.Id };
        if (!version.CreatorIsCreateEventSender || random.OneIn(4))
        {
            content["creator"] = sender;
        }

        if (random.OneIn(3))
        {
            content["m.federate"] = random.NextBool();
        }

        return (EventTypes.Create, "", content);
    }

    private static JsonObject Member(FuzzRandom random, RoomVersion version)
    {
        var content = new JsonObject
        {
            ["membership"] = random.Pick(new[] { "join", "invite", "leave", "ban", "knock" }),
            ["displayname"] = RandomText.Next(random, 10),
        };
        if (version.AllowsRestrictedJoins && random.OneIn(3))
        {
            content["join_authorised_via_users_server"] = $"@{RandomText.Identifier(random)}:{FuzzKeys.Origin.ServerName}";
        }

        if (random.OneIn(4))
        {
            content["third_party_invite"] = new JsonObject
            {
                ["display_name"] = RandomText.Next(random, 6),
                ["signed"] = new JsonObject { ["mxid"] = "@x:y", ["token"] = RandomText.Identifier(random), ["signatures"] = new JsonObject() },
            };
        }

        return content;
    }

    private static JsonObject PowerLevels(FuzzRandom random, string sender) => new()
    {
        ["users"] = new JsonObject { [sender] = random.Next(101) },
        ["users_default"] = random.Next(-10, 10),
        ["events"] = new JsonObject { [EventTypes.Message] = random.Next(101) },
        ["ban"] = 50,
        ["kick"] = 50,
        ["redact"] = 50,
        ["invite"] = random.Next(101),
        ["state_default"] = 50,
        ["events_default"] = 0,
        ["notifications"] = new JsonObject { ["room"] = 50 },
    };

    private static JsonObject JoinRules(FuzzRandom random) => new()
    {
        ["join_rule"] = random.Pick(new[] { "public", "invite", "knock", "restricted", "knock_restricted", "private" }),
        ["allow"] = new JsonArray(new JsonObject { ["type"] = "m.room_membership", ["room_id"] = "!other:example.org" }),
    };

    private static JsonObject Message(FuzzRandom random, RoomVersion version)
    {
        var content = JsonNodeGenerator.ObjectOf(random, version.EnforcesCanonicalJson, 1, 4);
        content["msgtype"] = "m.text";
        content["body"] = RandomText.Next(random, 40);
        return content;
    }

    private static JsonArray References(FuzzRandom random, RoomVersion version, int max)
    {
        var references = new JsonArray();
        var count = random.Next(max + 1);
        for (var i = 0; i < count; i++)
        {
            var id = "$" + EventIdBody(random, version);
            references.Add(version.UsesEventReferencePairs
                ? new JsonArray(id, new JsonObject { ["sha256"] = Convert.ToBase64String(random.NextBytes(32)).TrimEnd('=') })
                : JsonValue.Create(id));
        }

        return references;
    }

    private static string EventIdBody(FuzzRandom random, RoomVersion version) => version.EventIdFormat switch
    {
        EventIdFormat.OriginSupplied => $"{RandomText.Identifier(random)}:{FuzzKeys.Origin.ServerName}",
        _ => Pdu.EventIdFromReferenceHash(random.NextBytes(32), version)[1..],
    };

    /// <summary>A parsed copy of generated text, for the properties that compare with the original.</summary>
    public static JsonElement Element(byte[] text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
