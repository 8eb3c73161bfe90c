using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Protocol.Crypto;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Tests.Support;
using static Federation.StateResolution.Tests.Support.TestRoom;

namespace Federation.StateResolution.Tests.Auth;

public class AuthRulesTests
{
    public static TheoryData<string> AllVersions() => new(Enumerable.Range(1, 12).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Checks a probe event against the room's current state without it, then takes it back out.</summary>
    private static bool Allowed(TestRoom room, Pdu pdu)
    {
        room.Undo(pdu);
        return AuthRules.Check(pdu, room.CurrentState().Where(e => e.EventId != pdu.EventId)).IsAllowed;
    }

    private static TestRoom PublicRoomWithBob(string version, object? powerLevels = null)
    {
        var room = new TestRoom(version).Bootstrap(powerLevels);
        room.Join("$join-bob", Bob);
        return room;
    }

    // ---- create, m.federate ----

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Create_events_pass_the_state_dependent_rules_in_every_version(string version) =>
        Assert.True(AuthRules.Check(new TestRoom(version).Create, []).IsAllowed);

    [Fact]
    public void An_event_is_rejected_when_there_is_no_create_event_in_its_auth_state()
    {
        var room = new TestRoom().Bootstrap();
        var topic = room.Topic("$t", Alice, "x");
        Assert.False(AuthRules.Check(topic, room.CurrentState().Where(e => !e.IsCreateEvent)).IsAllowed);
    }

    [Theory]
    [InlineData("false", false)]
    [InlineData("\"false\"", false)]
    [InlineData("true", true)]
    public void A_non_federated_room_refuses_senders_of_other_servers_and_only_json_true_federates(string federate, bool allowed)
    {
        var room = new TestRoom("10", Alice, JsonNode.Parse($$"""{"creator": "{{Alice}}", "m.federate": {{federate}}}"""));
        room.Bootstrap();
        var join = room.Join("$remote", Remote);
        Assert.Equal(allowed, Allowed(room, join));
    }

    // ---- joins ----

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void The_creators_first_join_is_allowed_when_its_only_prev_event_is_the_create_event(string version)
    {
        var room = new TestRoom(version);
        Assert.True(Allowed(room, room.Join("$j", Alice, prev: ["$create"])));
    }

    [Fact]
    public void The_creators_first_join_with_two_prev_events_falls_back_to_the_ordinary_join_rules()
    {
        var room = new TestRoom();
        room.Add("$msg", EventTypes.Message, Alice, null, new { body = "x" }, prev: ["$create"]);
        Assert.False(Allowed(room, room.Join("$j", Alice, prev: ["$create", "$msg"])));
    }

    [Fact]
    public void In_v12_an_additional_creator_gets_no_first_join_special_case()
    {
        var room = new TestRoom("12", Alice, new { additional_creators = new[] { Bob } });
        Assert.True(Allowed(room, room.Join("$ja", Alice, prev: ["$create"], auth: [])));
        Assert.False(AuthRules.Check(room.Join("$jb", Bob, prev: ["$create"], auth: []), [room.Create]).IsAllowed);
    }

    [Theory]
    [InlineData("1", false)]
    [InlineData("10", false)]
    [InlineData("11", true)]
    public void The_creator_is_content_creator_before_v11_and_the_sender_from_v11(string version, bool senderIsCreator)
    {
        var room = new TestRoom(version, Alice, new { creator = Bob });
        Assert.Equal(senderIsCreator, Allowed(room, room.Join("$j", Alice, prev: ["$create"])));
    }

    [Theory]
    [InlineData("public", "leave", true)]
    [InlineData("invite", "leave", false)]
    [InlineData("invite", "invite", true)]
    [InlineData("private", "invite", false)]
    public void Joins_follow_the_join_rule(string joinRule, string currentMembership, bool allowed)
    {
        var room = new TestRoom("10").Bootstrap(joinRule: joinRule);
        if (currentMembership == "invite")
        {
            room.Member("$inv", Alice, Carol, "invite");
        }

        Assert.Equal(allowed, Allowed(room, room.Join("$j", Carol)));
    }

    [Fact]
    public void A_join_rules_event_without_join_rule_is_read_as_invite()
    {
        var room = new TestRoom().Bootstrap();
        room.Add("$jr2", EventTypes.JoinRules, Alice, "", new { join_rules = "public" });
        Assert.False(Allowed(room, room.Join("$j", Carol)));
        room.Member("$inv", Alice, Carol, "invite");
        Assert.True(Allowed(room, room.Join("$j2", Carol)));
    }

    [Fact]
    public void Without_a_join_rules_event_a_joined_member_may_join_again_but_a_stranger_may_not()
    {
        var room = new TestRoom();
        room.Join("$ja", Alice);
        Assert.True(Allowed(room, room.Join("$ja2", Alice, prev: ["$ja"])));
        Assert.False(Allowed(room, room.Join("$jc", Carol)));
    }

    [Fact]
    public void Nobody_joins_on_behalf_of_someone_else_and_banned_users_cannot_join()
    {
        var room = PublicRoomWithBob("10");
        Assert.False(Allowed(room, room.Member("$force", Alice, Carol, "join")));
        room.Member("$ban", Alice, Carol, "ban");
        Assert.False(Allowed(room, room.Join("$j", Carol)));
    }

    [Theory]
    [InlineData("7", "restricted", false)]
    [InlineData("8", "restricted", true)]
    [InlineData("9", "knock_restricted", false)]
    [InlineData("10", "knock_restricted", true)]
    public void Restricted_joins_need_a_joined_authoriser_with_the_invite_level_in_versions_that_have_them(string version, string rule, bool allowed)
    {
        var room = new TestRoom(version).Bootstrap(new { users = new Dictionary<string, int> { [Alice] = 100 }, invite = 50 }, joinRule: rule);
        var join = room.Member("$j", Carol, Carol, "join", new { join_authorised_via_users_server = Alice });
        Assert.Equal(allowed, Allowed(room, join));
    }

    [Fact]
    public void A_restricted_join_fails_when_the_authoriser_lacks_the_invite_level_or_is_not_joined()
    {
        var room = new TestRoom("10").Bootstrap(new { users = new Dictionary<string, int> { [Alice] = 100 }, invite = 50 }, joinRule: "restricted");
        room.Join("$jb", Bob);
        Assert.False(Allowed(room, room.Member("$j1", Carol, Carol, "join", new { join_authorised_via_users_server = Bob })));
        Assert.False(Allowed(room, room.Member("$j2", Carol, Carol, "join", new { join_authorised_via_users_server = Erin })));
        Assert.False(Allowed(room, room.Member("$j3", Carol, Carol, "join")));
    }

    // ---- knocks ----

    [Theory]
    [InlineData("6", "knock", false)]
    [InlineData("7", "knock", true)]
    [InlineData("7", "public", false)]
    [InlineData("9", "knock_restricted", false)]
    [InlineData("10", "knock_restricted", true)]
    public void Knocks_need_a_knock_join_rule_in_a_version_that_has_it(string version, string rule, bool allowed)
    {
        var room = new TestRoom(version).Bootstrap(joinRule: rule);
        Assert.Equal(allowed, Allowed(room, room.Member("$k", Carol, Carol, "knock")));
    }

    [Fact]
    public void Knocking_while_invited_joined_or_for_someone_else_is_rejected()
    {
        var room = new TestRoom("7").Bootstrap(joinRule: "knock");
        Assert.False(Allowed(room, room.Member("$k0", Alice, Carol, "knock")));
        room.Member("$inv", Alice, Carol, "invite");
        Assert.False(Allowed(room, room.Member("$k1", Carol, Carol, "knock")));
        Assert.False(Allowed(room, room.Member("$k2", Alice, Alice, "knock")));
    }

    [Fact]
    public void A_knocking_user_may_leave_again_from_v7()
    {
        var room = new TestRoom("7").Bootstrap(joinRule: "knock");
        room.Member("$k", Carol, Carol, "knock");
        Assert.True(Allowed(room, room.Member("$l", Carol, Carol, "leave")));
    }

    // ---- invites, leaves, kicks, bans ----

    [Fact]
    public void The_default_invite_level_is_zero()
    {
        var room = PublicRoomWithBob("10");
        Assert.True(Allowed(room, room.Member("$inv", Bob, Carol, "invite")));
    }

    [Fact]
    public void Invites_need_a_joined_sender_and_a_target_that_is_neither_joined_nor_banned()
    {
        var room = PublicRoomWithBob("10");
        Assert.False(Allowed(room, room.Member("$i1", Carol, Erin, "invite")));
        Assert.False(Allowed(room, room.Member("$i2", Alice, Bob, "invite")));
        room.Member("$ban", Alice, Erin, "ban");
        Assert.False(Allowed(room, room.Member("$i3", Alice, Erin, "invite")));
    }

    [Theory]
    [InlineData(100, 0, true)]
    [InlineData(50, 50, false)]
    [InlineData(49, 0, false)]
    public void Kicks_need_the_kick_level_and_a_level_above_the_target(int aliceLevel, int bobLevel, bool allowed)
    {
        var levels = new { users = new Dictionary<string, int> { [Alice] = aliceLevel, [Bob] = bobLevel } };
        var room = PublicRoomWithBob("10", levels);
        Assert.Equal(allowed, Allowed(room, room.Member("$kick", Alice, Bob, "leave")));
        Assert.Equal(allowed, Allowed(room, room.Member("$ban", Alice, Bob, "ban")));
    }

    [Fact]
    public void Unbanning_needs_the_ban_level_but_not_the_kick_level_as_in_Synapse()
    {
        var levels = new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 60 }, kick = 70, ban = 50 };
        var room = PublicRoomWithBob("10", levels);
        room.Member("$ban", Alice, Carol, "ban");
        Assert.True(Allowed(room, room.Member("$unban", Bob, Carol, "leave")));
        room.PowerLevels("$pl2", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 40 }, kick = 70, ban = 50 });
        Assert.False(Allowed(room, room.Member("$unban2", Bob, Carol, "leave")));
    }

    [Fact]
    public void Self_leave_is_allowed_from_join_and_invite_but_not_from_leave_or_ban()
    {
        var room = PublicRoomWithBob("10");
        Assert.True(Allowed(room, room.Member("$l1", Bob, Bob, "leave")));
        room.Member("$inv", Alice, Carol, "invite");
        Assert.True(Allowed(room, room.Member("$l2", Carol, Carol, "leave")));
        Assert.False(Allowed(room, room.Member("$l3", Erin, Erin, "leave")));
        room.Member("$ban", Alice, Erin, "ban");
        Assert.False(Allowed(room, room.Member("$l4", Erin, Erin, "leave")));
    }

    [Theory]
    [InlineData("6", false)]
    [InlineData("10", false)]
    public void Unknown_memberships_are_rejected(string version, bool allowed)
    {
        var room = PublicRoomWithBob(version);
        Assert.Equal(allowed, Allowed(room, room.Member("$x", Bob, Bob, "dance")));
        Assert.False(Allowed(room, room.Add("$y", EventTypes.Member, Bob, Bob, new { displayname = "no membership" })));
    }

    // ---- third-party invites ----

    [Fact]
    public void A_third_party_invite_is_allowed_when_the_signed_block_verifies_with_the_invites_public_key()
    {
        var key = SigningKey.FromSeed("0", new byte[32]);
        var room = PublicRoomWithBob("10");
        room.Add("$tpi", EventTypes.ThirdPartyInvite, Alice, "tok", new { display_name = "x", public_key = UnpaddedBase64.Encode(key.PublicKey) });

        Assert.True(Allowed(room, ThirdPartyInvite(room, "$i1", Alice, Carol, "tok", key, signFor: Carol)));
        Assert.False(Allowed(room, ThirdPartyInvite(room, "$i2", Alice, Carol, "tok", SigningKey.FromSeed("0", Enumerable.Repeat((byte)7, 32).ToArray()), signFor: Carol)));
        Assert.False(Allowed(room, ThirdPartyInvite(room, "$i3", Alice, Carol, "tok", key, signFor: Erin)));
        Assert.False(Allowed(room, ThirdPartyInvite(room, "$i4", Bob, Carol, "tok", key, signFor: Carol)));
        Assert.False(Allowed(room, ThirdPartyInvite(room, "$i5", Alice, Carol, "other", key, signFor: Carol)));
    }

    [Fact]
    public void A_third_party_invite_accepts_any_key_of_public_keys_and_refuses_a_banned_target()
    {
        var key = SigningKey.FromSeed("1", Enumerable.Repeat((byte)3, 32).ToArray());
        var room = PublicRoomWithBob("10");
        room.Add("$tpi", EventTypes.ThirdPartyInvite, Alice, "tok", new
        {
            public_key = UnpaddedBase64.Encode(new byte[32]),
            public_keys = new[] { new { public_key = UnpaddedBase64.Encode(key.PublicKey) } },
        });
        Assert.True(Allowed(room, ThirdPartyInvite(room, "$i1", Alice, Carol, "tok", key, signFor: Carol)));
        room.Member("$ban", Alice, Carol, "ban");
        Assert.False(Allowed(room, ThirdPartyInvite(room, "$i2", Alice, Carol, "tok", key, signFor: Carol)));
    }

    private static Pdu ThirdPartyInvite(TestRoom room, string id, string sender, string target, string token, SigningKey key, string signFor)
    {
        var signed = new JsonObject { ["mxid"] = signFor, ["token"] = token, ["sender"] = sender };
        JsonSigning.Sign(signed, "id.example", key);
        return room.Member(id, sender, target, "invite", new JsonObject { ["third_party_invite"] = new JsonObject { ["display_name"] = "c", ["signed"] = signed } });
    }

    // ---- other events ----

    [Fact]
    public void Events_need_a_joined_sender_with_the_required_level()
    {
        var room = PublicRoomWithBob("10");
        Assert.False(Allowed(room, room.Topic("$t1", Bob, "state_default is 50")));
        Assert.True(Allowed(room, room.Add("$m", EventTypes.Message, Bob, null, new { body = "events_default is 0" })));
        Assert.False(Allowed(room, room.Add("$m2", EventTypes.Message, Carol, null, new { body = "not joined" })));
        Assert.True(Allowed(room, room.Topic("$t2", Alice, "admin")));
    }

    [Fact]
    public void A_state_key_starting_with_at_must_be_the_sender()
    {
        var room = PublicRoomWithBob("10", new { users = new Dictionary<string, int> { [Alice] = 100 }, state_default = 0 });
        Assert.True(Allowed(room, room.Add("$s1", "m.custom", Bob, Bob, new { })));
        Assert.False(Allowed(room, room.Add("$s2", "m.custom", Bob, Alice, new { })));
    }

    [Fact]
    public void Third_party_invite_events_need_the_invite_level()
    {
        var room = PublicRoomWithBob("10", new { users = new Dictionary<string, int> { [Alice] = 100 }, invite = 10 });
        Assert.False(Allowed(room, room.Add("$tpi1", EventTypes.ThirdPartyInvite, Bob, "t", new { })));
        Assert.True(Allowed(room, room.Add("$tpi2", EventTypes.ThirdPartyInvite, Alice, "t", new { })));
    }

    [Theory]
    [InlineData("5", true)]
    [InlineData("6", false)]
    public void The_aliases_rule_lets_a_server_set_its_own_aliases_until_v6(string version, bool allowedWithoutPower)
    {
        var room = PublicRoomWithBob(version);
        Assert.Equal(allowedWithoutPower, Allowed(room, room.Add("$a", EventTypes.Aliases, Bob, "foo", new { aliases = Array.Empty<string>() })));
        if (allowedWithoutPower)
        {
            Assert.False(Allowed(room, room.Add("$a2", EventTypes.Aliases, Bob, "elsewhere", new { aliases = Array.Empty<string>() })));
        }
    }

    [Theory]
    [InlineData("2", "$x:foo", true)]
    [InlineData("2", "$x:elsewhere", false)]
    [InlineData("3", "$x:elsewhere", true)]
    public void Redactions_need_the_redact_level_or_the_same_server_in_v1_and_v2(string version, string redacts, bool allowed)
    {
        var room = PublicRoomWithBob(version);
        var redaction = room.Add("$r:foo", EventTypes.Redaction, Bob, null, new { });
        var element = JsonSerializer.SerializeToNode(redaction.Json)!.AsObject();
        element["redacts"] = redacts;
        element["content"] = new JsonObject { ["redacts"] = redacts };
        var pdu = Pdu.WithTrustedId(JsonSerializer.SerializeToElement(element), room.Version, "$r:foo");
        Assert.Equal(allowed, Allowed(room, pdu));
    }

    // ---- power levels ----

    [Theory]
    [InlineData("9", true)]
    [InlineData("10", false)]
    public void String_power_levels_are_accepted_until_v10(string version, bool allowed)
    {
        var room = PublicRoomWithBob(version);
        var pl = room.PowerLevels("$pl2", JsonNode.Parse($$"""{"users": {"{{Alice}}": "100"}, "ban": "50"}""")!);
        Assert.Equal(allowed, Allowed(room, pl));
    }

    [Fact]
    public void String_power_levels_count_as_numbers_for_the_sender_in_v5()
    {
        var room = new TestRoom("5").Bootstrap(JsonNode.Parse($$$"""{"users": {"{{{Alice}}}": "100"}}"""));
        Assert.True(Allowed(room, room.Topic("$t", Alice, "x")));
        Assert.Equal(100, AuthRules.UserLevel(Alice, AuthState.From(room["$t"], room.CurrentState())));
    }

    [Fact]
    public void Power_level_changes_cannot_exceed_the_senders_level_or_touch_peers()
    {
        var levels = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50, [Carol] = 50 };
        var room = PublicRoomWithBob("10", new { users = levels });
        Assert.False(Allowed(room, room.PowerLevels("$p1", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50, [Carol] = 40 } }, sender: Bob)));
        Assert.False(Allowed(room, room.PowerLevels("$p2", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50, [Carol] = 50, [Erin] = 60 } }, sender: Bob)));
        Assert.True(Allowed(room, room.PowerLevels("$p3", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50, [Carol] = 50, [Erin] = 50 } }, sender: Bob)));
        Assert.True(Allowed(room, room.PowerLevels("$p4", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 40, [Carol] = 50 } }, sender: Bob)));
        Assert.False(Allowed(room, room.PowerLevels("$p5", new { users = levels, ban = 60 }, sender: Bob)));
    }

    [Theory]
    [InlineData("5", true)]
    [InlineData("6", false)]
    public void Notifications_levels_are_checked_from_v6(string version, bool allowed)
    {
        var room = PublicRoomWithBob(version, new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50 } });
        var pl = room.PowerLevels("$p", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50 }, notifications = new { room = 70 } }, sender: Bob);
        Assert.Equal(allowed, Allowed(room, pl));
    }

    [Fact]
    public void In_v12_creators_have_infinite_power_and_may_not_appear_in_users()
    {
        var room = new TestRoom("12", Alice, new { additional_creators = new[] { Bob } }).Bootstrap();
        room.Join("$jb", Bob);
        Assert.Equal(RoomCreators.PrivilegedCreatorPower, AuthRules.UserLevel(Bob, AuthState.From(room.Create, room.CurrentState())));
        Assert.True(Allowed(room, room.PowerLevels("$p1", new { users = new Dictionary<string, int> { [Carol] = 100 } }, sender: Bob)));
        Assert.False(Allowed(room, room.PowerLevels("$p2", new { users = new Dictionary<string, int> { [Bob] = 100 } })));
        Assert.False(Allowed(room, room.PowerLevels("$p3", new { users = new Dictionary<string, int> { [Alice] = 100 } })));
    }

    [Theory]
    [InlineData("10", 100)]
    [InlineData("11", 100)]
    public void Without_power_levels_the_creator_has_100_and_everyone_else_0(string version, int creatorLevel)
    {
        var room = new TestRoom(version);
        room.Join("$j", Alice);
        var state = AuthState.From(room["$j"], room.CurrentState());
        Assert.Equal(creatorLevel, AuthRules.UserLevel(Alice, state));
        Assert.Equal(0, AuthRules.UserLevel(Bob, state));
    }
}
