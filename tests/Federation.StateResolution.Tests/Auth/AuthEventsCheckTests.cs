using Federation.Protocol.Events;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Events;
using Federation.StateResolution.Tests.Support;
using static Federation.StateResolution.Tests.Support.TestRoom;

namespace Federation.StateResolution.Tests.Auth;

public class AuthEventsCheckTests
{
    private static AuthResult Check(TestRoom room, Pdu pdu, HashSet<string>? rejected = null) =>
        AuthEventsCheck.Check(
            pdu,
            [.. pdu.AuthEvents.Select(id => new EventLookup(room.Events.GetValueOrDefault(id), rejected?.Contains(id) ?? false))],
            room.Version.RoomIdIsCreateEventHash ? new EventLookup(room.Create, false) : default);

    [Fact]
    public void Auth_events_chosen_by_the_selection_rules_pass()
    {
        var room = new TestRoom().Bootstrap();
        Assert.True(Check(room, room.Join("$jb", Bob)).IsAllowed);
    }

    [Fact]
    public void Duplicate_keys_are_rejected()
    {
        var room = new TestRoom().Bootstrap();
        room.PowerLevels("$pl2", new { users = new Dictionary<string, int> { [Alice] = 100 } });
        Assert.False(Check(room, room.Topic("$t", Alice, "x", auth: ["$create", "$pl", "$pl2", "$join-creator"])).IsAllowed);
    }

    [Fact]
    public void Keys_outside_the_selection_are_rejected()
    {
        var room = new TestRoom().Bootstrap();
        Assert.False(Check(room, room.Topic("$t", Alice, "x", auth: ["$create", "$pl", "$join-creator", "$jr"])).IsAllowed);
    }

    [Fact]
    public void Rejected_or_unknown_auth_events_are_rejected()
    {
        var room = new TestRoom().Bootstrap();
        var topic = room.Topic("$t", Alice, "x");
        Assert.False(Check(room, topic, new HashSet<string> { "$pl" }).IsAllowed);
        Assert.False(Check(room, room.Topic("$t2", Alice, "x", auth: ["$create", "$nope"])).IsAllowed);
    }

    [Fact]
    public void Before_v12_the_create_event_must_be_present()
    {
        var room = new TestRoom("11").Bootstrap();
        Assert.False(Check(room, room.Topic("$t", Alice, "x", auth: ["$pl", "$join-creator"])).IsAllowed);
    }

    [Fact]
    public void In_v12_the_create_event_must_not_be_listed_and_the_room_id_must_name_it()
    {
        var room = new TestRoom("12").Bootstrap();
        Assert.True(Check(room, room.Topic("$t1", Alice, "x")).IsAllowed);
        Assert.False(Check(room, room.Topic("$t2", Alice, "x", auth: ["$create", "$pl", "$join-creator"])).IsAllowed);
        var topic = room.Topic("$t3", Alice, "x");
        Assert.False(AuthEventsCheck.Check(topic, [.. topic.AuthEvents.Select(id => new EventLookup(room[id], false))], default).IsAllowed);
    }

    [Fact]
    public void Auth_events_from_another_room_are_rejected()
    {
        var room = new TestRoom().Bootstrap();
        var other = new TestRoom();
        var otherJson = System.Text.Json.Nodes.JsonNode.Parse(other.Create.Json.GetRawText())!.AsObject();
        otherJson["room_id"] = "!other:foo";
        var foreign = Pdu.WithTrustedId(System.Text.Json.JsonSerializer.SerializeToElement(otherJson), other.Version, "$foreign");
        room.Events["$foreign"] = foreign;
        Assert.False(Check(room, room.Topic("$t", Alice, "x", auth: ["$foreign", "$pl", "$join-creator"])).IsAllowed);
    }

    [Theory]
    [InlineData("10", "{\"room_version\": \"99\", \"creator\": \"@alice:foo\"}", false)]
    [InlineData("10", "{\"room_version\": \"10\"}", false)]
    [InlineData("11", "{\"room_version\": \"11\"}", true)]
    [InlineData("12", "{\"additional_creators\": \"@bob:foo\"}", false)]
    [InlineData("12", "{\"additional_creators\": [\"bob\"]}", false)]
    [InlineData("12", "{\"additional_creators\": [\"@bob:foo\"]}", true)]
    public void The_create_event_checks_its_own_content(string version, string content, bool allowed)
    {
        var room = new TestRoom(version, Alice, System.Text.Json.Nodes.JsonNode.Parse(content));
        Assert.Equal(allowed, AuthEventsCheck.CheckCreate(room.Create).IsAllowed);
    }

    [Theory]
    [InlineData("10", "join", "m.room.create|m.room.power_levels|m.room.member:@carol:foo|m.room.join_rules")]
    [InlineData("12", "join", "m.room.power_levels|m.room.member:@carol:foo|m.room.join_rules")]
    [InlineData("10", "leave", "m.room.create|m.room.power_levels|m.room.member:@carol:foo")]
    public void The_selection_names_create_power_levels_members_and_join_rules(string version, string membership, string expected)
    {
        var room = new TestRoom(version);
        var pdu = room.Member("$m", Carol, Carol, membership);
        var keys = AuthEventSelection.Select(pdu).Select(k => k.Key.Length == 0 ? k.Type : $"{k.Type}:{k.Key}");
        Assert.Equal(expected, string.Join('|', keys));
    }

    [Fact]
    public void The_selection_adds_the_target_the_third_party_invite_and_the_restricted_authoriser()
    {
        var room = new TestRoom("8");
        var invite = room.Member("$i", Alice, Carol, "invite", new { third_party_invite = new { signed = new { token = "tok" } } });
        Assert.Contains(new StateKey(EventTypes.ThirdPartyInvite, "tok"), AuthEventSelection.Select(invite));
        Assert.Contains(new StateKey(EventTypes.Member, Carol), AuthEventSelection.Select(invite));
        var join = room.Member("$j", Carol, Carol, "join", new { join_authorised_via_users_server = Alice });
        Assert.Contains(new StateKey(EventTypes.Member, Alice), AuthEventSelection.Select(join));
        var v7 = new TestRoom("7").Member("$j", Carol, Carol, "join", new { join_authorised_via_users_server = Alice });
        Assert.DoesNotContain(new StateKey(EventTypes.Member, Alice), AuthEventSelection.Select(v7));
    }
}
