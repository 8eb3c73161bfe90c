using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Tests.Events;

public class RedactionTests
{
    private static string Redacted(string json, string version)
    {
        using var document = JsonDocument.Parse(json);
        return CanonicalJson.EncodeToString(Redaction.Redact(document.RootElement, RoomVersion.Get(version)));
    }

    private const string TopLevel = """
        {"event_id":"$e","type":"m.room.message","room_id":"!r","sender":"@u:x","content":{"body":"hi"},"hashes":{"sha256":"h"},
         "signatures":{"x":{}},"depth":1,"prev_events":[],"prev_state":[],"auth_events":[],"origin":"x","origin_server_ts":1,
         "membership":"join","unsigned":{"age":1},"redacts":"$t","extra":true}
        """;

    [Theory]
    [InlineData("1")]
    [InlineData("10")]
    public void Redact_before_version_11_keeps_origin_membership_and_prev_state(string version) =>
        Assert.Equal(
            "{\"auth_events\":[],\"content\":{},\"depth\":1,\"event_id\":\"$e\",\"hashes\":{\"sha256\":\"h\"},\"membership\":\"join\","
            + "\"origin\":\"x\",\"origin_server_ts\":1,\"prev_events\":[],\"prev_state\":[],\"room_id\":\"!r\",\"sender\":\"@u:x\","
            + "\"signatures\":{\"x\":{}},\"type\":\"m.room.message\"}",
            Redacted(TopLevel, version));

    [Theory]
    [InlineData("11")]
    [InlineData("12")]
    public void Redact_from_version_11_drops_origin_membership_and_prev_state(string version) =>
        Assert.Equal(
            "{\"auth_events\":[],\"content\":{},\"depth\":1,\"event_id\":\"$e\",\"hashes\":{\"sha256\":\"h\"},"
            + "\"origin_server_ts\":1,\"prev_events\":[],\"room_id\":\"!r\",\"sender\":\"@u:x\","
            + "\"signatures\":{\"x\":{}},\"type\":\"m.room.message\"}",
            Redacted(TopLevel, version));

    public static TheoryData<string, string, string, string> ContentCases => new()
    {
        { "m.room.member", """{"membership":"join","displayname":"U","join_authorised_via_users_server":"@a:x","third_party_invite":{"signed":{"s":1},"display_name":"d"}}""", "8", """{"membership":"join"}""" },
        { "m.room.member", """{"membership":"join","displayname":"U","join_authorised_via_users_server":"@a:x","third_party_invite":{"signed":{"s":1},"display_name":"d"}}""", "9", """{"join_authorised_via_users_server":"@a:x","membership":"join"}""" },
        { "m.room.member", """{"membership":"join","displayname":"U","join_authorised_via_users_server":"@a:x","third_party_invite":{"signed":{"s":1},"display_name":"d"}}""", "11", """{"join_authorised_via_users_server":"@a:x","membership":"join","third_party_invite":{"signed":{"s":1}}}""" },
        { "m.room.member", """{"membership":"invite","third_party_invite":{"display_name":"d"}}""", "11", """{"membership":"invite"}""" },
        { "m.room.create", """{"creator":"@u:x","room_version":"10","m.federate":false}""", "10", """{"creator":"@u:x"}""" },
        { "m.room.create", """{"creator":"@u:x","room_version":"11","m.federate":false}""", "11", """{"creator":"@u:x","m.federate":false,"room_version":"11"}""" },
        { "m.room.join_rules", """{"join_rule":"restricted","allow":[{"type":"m.room_membership"}],"x":1}""", "7", """{"join_rule":"restricted"}""" },
        { "m.room.join_rules", """{"join_rule":"restricted","allow":[{"type":"m.room_membership"}],"x":1}""", "8", """{"allow":[{"type":"m.room_membership"}],"join_rule":"restricted"}""" },
        { "m.room.power_levels", """{"ban":50,"events":{},"events_default":0,"invite":0,"kick":50,"redact":50,"state_default":50,"users":{},"users_default":0,"notifications":{"room":50}}""", "10", """{"ban":50,"events":{},"events_default":0,"kick":50,"redact":50,"state_default":50,"users":{},"users_default":0}""" },
        { "m.room.power_levels", """{"ban":50,"events":{},"events_default":0,"invite":0,"kick":50,"redact":50,"state_default":50,"users":{},"users_default":0,"notifications":{"room":50}}""", "11", """{"ban":50,"events":{},"events_default":0,"invite":0,"kick":50,"redact":50,"state_default":50,"users":{},"users_default":0}""" },
        { "m.room.history_visibility", """{"history_visibility":"shared","x":1}""", "1", """{"history_visibility":"shared"}""" },
        { "m.room.aliases", """{"aliases":["#a:x"],"x":1}""", "5", """{"aliases":["#a:x"]}""" },
        { "m.room.aliases", """{"aliases":["#a:x"],"x":1}""", "6", "{}" },
        { "m.room.redaction", """{"redacts":"$x","reason":"spam"}""", "10", "{}" },
        { "m.room.redaction", """{"redacts":"$x","reason":"spam"}""", "11", """{"redacts":"$x"}""" },
        { "m.room.message", """{"body":"hi"}""", "12", "{}" },
    };

    [Theory]
    [MemberData(nameof(ContentCases))]
    public void Redact_keeps_the_content_keys_of_each_room_version(string type, string content, string version, string expected)
    {
        var json = $$"""{"type":"{{type}}","content":{{content}},"room_id":"!r","sender":"@u:x"}""";
        using var document = JsonDocument.Parse(Redacted(json, version));
        Assert.Equal(expected, CanonicalJson.EncodeToString(document.RootElement.GetProperty("content")));
    }

    [Fact]
    public void Redact_of_content_that_is_not_an_object_yields_an_empty_object()
    {
        using var document = JsonDocument.Parse(Redacted("""{"type":"m.room.member","content":"x"}""", "10"));
        Assert.Equal("{}", document.RootElement.GetProperty("content").GetRawText());
    }

    [Fact]
    public void Redact_is_idempotent()
    {
        var once = Redacted(TopLevel, "10");
        Assert.Equal(once, Redacted(once, "10"));
    }
}
