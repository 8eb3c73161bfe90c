using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Tests.Events;

public class PduTests
{
    // A real room-version-5 create event from the public federation, with the ids other servers computed for it.
    private const string RealCreateEvent = """
        {"auth_events": [], "prev_events": [], "type": "m.room.create", "room_id": "!uXDCzlYgCTHtiWCkEx:jki.re",
         "sender": "@erikj:jki.re", "content": {"room_version": "5", "predecessor": {"room_id": "!gdRMqOrTFdOCYHNwOo:half-shot.uk",
         "event_id": "$LP7ROBc4b+cMc1UE9haIz8q5AK2AIW4eJ90FfKLvyZI"}, "creator": "@erikj:jki.re"}, "depth": 1, "prev_state": [],
         "state_key": "", "origin": "jki.re", "origin_server_ts": 1560284621137,
         "hashes": {"sha256": "IX6zuNiJpJPNf70BLleL3HSCpjKeq9Uhu7uUpyDjBmc"},
         "signatures": {"jki.re": {"ed25519:auto": "O4IyFfF2PPtGp5uaDm8t57dZbdh8vc8Q64LgCwvzYRVItAMI0uisfiAFaxkVT7MRpzh6N2QNN5NMRXZKmgPYDA"}},
         "unsigned": {"age": 1321650}}
        """;

    private static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("3", "$RrGxF28UrHLmoASHndYb9Jb/1SFww2ptmtur9INS438")]
    [InlineData("4", "$RrGxF28UrHLmoASHndYb9Jb_1SFww2ptmtur9INS438")]
    [InlineData("5", "$RrGxF28UrHLmoASHndYb9Jb_1SFww2ptmtur9INS438")]
    public void Parse_computes_the_reference_hash_event_id_of_each_format(string version, string expected)
    {
        var pdu = Pdu.Parse(Json(RealCreateEvent), RoomVersion.Get(version));
        Assert.Equal(expected, pdu.EventId);
        Assert.True(EventSigning.HasValidContentHash(pdu));
    }

    [Fact]
    public void Parse_takes_the_supplied_event_id_in_room_versions_1_and_2()
    {
        var json = Json("""
            {"auth_events":[["$oXL79cT7fFxR7dPH:localhost",{"sha256":"abjkiDSg1RkuZrbj2jZoGMlQaaj1Ue3Jhi7I7NlKfXY"}]],
             "content":{"name":"test3"},"depth":7,"event_id":"$yvN1b43rlmcOs5fY:localhost",
             "hashes":{"sha256":"Oh1mwI1jEqZ3tgJ+V1Dmu5nOEGpCE4RFUqyJv2gQXKs"},"origin":"localhost","origin_server_ts":1510854416361,
             "prev_events":[["$FqI6TVvWpcbcnJ97:localhost",{"sha256":"upCsBqUhNUgT2/+zkzg8TbqdQpWWKQnZpGJc6KcbUC4"}]],
             "prev_state":[],"room_id":"!19Mp0U9hjajeIiw1:localhost","sender":"@test:localhost","signatures":{},
             "state_key":"","type":"m.room.name"}
            """);

        var pdu = Pdu.Parse(json, RoomVersion.Get("1"));

        Assert.Equal("$yvN1b43rlmcOs5fY:localhost", pdu.EventId);
        Assert.Equal(["$FqI6TVvWpcbcnJ97:localhost"], pdu.PrevEvents);
        Assert.Equal(["$oXL79cT7fFxR7dPH:localhost"], pdu.AuthEvents);
        Assert.Equal("", pdu.StateKey);
        Assert.Equal(7, pdu.Depth);
    }

    [Fact]
    public void Parse_refuses_a_supplied_event_id_where_the_id_is_a_hash()
    {
        var json = JsonNode.Parse(RealCreateEvent)!.AsObject();
        json["event_id"] = "$forged";
        var error = Assert.Throws<PduFormatException>(() => Pdu.Parse(JsonSigning.ToElement(json), RoomVersion.Get("10")));
        Assert.Contains("event_id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("10")]
    public void Parse_refuses_a_duplicate_key_in_any_room_version(string version)
    {
        var text = RealCreateEvent.TrimEnd()[..^1] + ",\"depth\":99}";
        using var document = JsonDocument.Parse(text);

        var error = Assert.Throws<PduFormatException>(() => Pdu.Parse(document.RootElement, RoomVersion.Get(version)));

        Assert.Contains("depth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_derives_the_room_id_of_a_version_12_create_event_from_its_hash()
    {
        var json = JsonNode.Parse(RealCreateEvent)!.AsObject();
        json.Remove("room_id");
        json["content"] = new JsonObject { ["room_version"] = "12" };
        var pdu = Pdu.Parse(JsonSigning.ToElement(json), RoomVersion.Get("12"));

        Assert.StartsWith("$", pdu.EventId, StringComparison.Ordinal);
        Assert.Equal("!" + pdu.EventId[1..], pdu.RoomId);
        Assert.True(pdu.IsCreateEvent);
    }

    [Fact]
    public void Parse_refuses_a_room_id_on_a_version_12_create_event()
    {
        var json = JsonNode.Parse(RealCreateEvent)!.AsObject();
        var error = Assert.Throws<PduFormatException>(() => Pdu.Parse(JsonSigning.ToElement(json), RoomVersion.Get("12")));
        Assert.Contains("room_id", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("type", "123", "'type'")]
    [InlineData("sender", "\"not-a-user\"", "'sender'")]
    [InlineData("depth", "\"1\"", "'depth'")]
    [InlineData("depth", "-1", "'depth'")]
    [InlineData("origin_server_ts", "1.5", "origin_server_ts")]
    [InlineData("content", "[]", "'content'")]
    [InlineData("prev_events", "{}", "'prev_events'")]
    [InlineData("auth_events", "[\"not-an-id\"]", "'auth_events[0]'")]
    [InlineData("state_key", "5", "'state_key'")]
    public void Parse_names_the_malformed_field(string field, string value, string expectedInMessage)
    {
        var json = JsonNode.Parse(RealCreateEvent)!.AsObject();
        json[field] = JsonNode.Parse(value);
        var error = Assert.Throws<PduFormatException>(() => Pdu.Parse(JsonSigning.ToElement(json), RoomVersion.Get("10")));
        Assert.Contains(expectedInMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_floats_from_room_version_6_but_tolerates_them_before()
    {
        var json = JsonNode.Parse(RealCreateEvent)!.AsObject();
        json["content"]!["weight"] = JsonNode.Parse("1.5");
        var element = JsonSigning.ToElement(json);

        Assert.Throws<PduFormatException>(() => Pdu.Parse(element, RoomVersion.Get("6")));
        Assert.True(Pdu.TryParse(element, RoomVersion.Get("5"), out var pdu, out var error), error);
        Assert.NotNull(pdu);
    }

    [Fact]
    public void TryParse_reports_errors_as_values()
    {
        Assert.False(Pdu.TryParse(Json("[]"), RoomVersion.Get("10"), out var pdu, out var error));
        Assert.Null(pdu);
        Assert.Contains("object", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_reads_redacts_from_content_from_room_version_11()
    {
        const string template = """
            {"room_id":"!r:x","sender":"@u:x","type":"m.room.redaction","redacts":"$top","content":{"redacts":"$inner"},
             "prev_events":[],"auth_events":[],"depth":1,"origin_server_ts":1}
            """;
        Assert.Equal("$top", Pdu.Parse(Json(template), RoomVersion.Get("10")).Redacts);
        Assert.Equal("$inner", Pdu.Parse(Json(template), RoomVersion.Get("11")).Redacts);
    }

    [Fact]
    public void Membership_is_read_from_member_events_only()
    {
        var member = Pdu.WithTrustedId(Json("""
            {"room_id":"!r:x","sender":"@u:x","type":"m.room.member","state_key":"@u:x","content":{"membership":"join"},
             "prev_events":[],"auth_events":[],"depth":1,"origin_server_ts":1}
            """), RoomVersion.Get("10"), "$m");
        Assert.Equal("join", member.Membership);
        Assert.True(member.IsState);
    }

    [Fact]
    public void WithTrustedId_accepts_referenced_ids_of_any_form_but_Parse_does_not()
    {
        const string json = """
            {"event_id":"$e:x","room_id":"!r:x","sender":"@u:x","type":"m.room.message","content":{},
             "prev_events":["START"],"auth_events":[],"depth":1,"origin_server_ts":1}
            """;
        Assert.Equal(["START"], Pdu.WithTrustedId(Json(json), RoomVersion.Get("1"), "A").PrevEvents);
        Assert.Throws<PduFormatException>(() => Pdu.Parse(Json(json), RoomVersion.Get("1")));
    }

    public static TheoryData<string, byte[]> UnreadableStrings() => new()
    {
        { "1", "\"\\ud800\""u8.ToArray() },
        { "2", [(byte)'"', 0xC3, 0x28, (byte)'"'] },
        { "3", "\"\\udc00x\""u8.ToArray() },
        { "5", [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'] },
        { "10", "\"\\ud83d\\u0041\""u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(UnreadableStrings))]
    public void Parse_refuses_invalid_utf8_and_unpaired_surrogates_with_a_format_error_in_every_room_version(string version, byte[] badString)
    {
        // Found by fuzzing: room versions 1–5 did not check strings, so reading 'sender' threw InvalidOperationException
        // and an unread field with such a string made hashing throw CanonicalJsonException after the event parsed.
        var roomVersion = RoomVersion.Get(version);
        foreach (var field in new[] { "sender", "origin", "state_key" })
        {
            var pdu = JsonNode.Parse(RealCreateEvent)!.AsObject();
            pdu.Remove(field);
            if (roomVersion.EventIdFormat == EventIdFormat.OriginSupplied)
            {
                pdu["event_id"] = "$e:jki.re";
            }

            var text = System.Text.Encoding.UTF8.GetBytes(pdu.ToJsonString());
            byte[] withBadField = [.. text.AsSpan(0, text.Length - 1), .. System.Text.Encoding.UTF8.GetBytes($",\"{field}\":"), .. badString, (byte)'}'];
            using var document = JsonDocument.Parse(withBadField);

            Assert.Throws<PduFormatException>(() => Pdu.Parse(document.RootElement, roomVersion));
            Assert.False(Pdu.TryParse(document.RootElement, roomVersion, out _, out _));
        }
    }
}
