using Federation.Protocol.Events;
using Federation.StateResolution.Resolution;
using Federation.StateResolution.Tests.Support;
using static Federation.StateResolution.Tests.Support.TestRoom;

namespace Federation.StateResolution.Tests.Resolution;

/// <summary>
/// The points of reference §8 where we compute what Synapse computes rather than what the spec text says
/// (docs/state-resolution.md, "Where we follow Synapse"). Each test names the point it covers.
/// </summary>
public class SynapseCompatibilityTests
{
    private static StateKey Topic => new(EventTypes.Topic, "");

    private static StateKey JoinRules => new(EventTypes.JoinRules, "");

    private static StateKey PowerLevels => new(EventTypes.PowerLevels, "");

    [Fact]
    public async Task A_state_sets_auth_chain_includes_the_sets_own_events()
    {
        // Bob's join is in both sets but only set B's topic cites it. With the spec's definition (chains of the
        // events, excluding the events) it would be in B's chain only and so in the auth difference; Synapse counts
        // each set's own events, so it is in both chains and not in the full conflicted set.
        var room = new TestRoom().Bootstrap();
        room.Join("$jb", Bob);
        room.PowerLevels("$pl2", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50 } });
        var fork = room.Snapshot();
        room.Topic("$ta", Alice, "A");
        var a = room.Snapshot();
        room.ForkFrom("$pl2", fork);
        room.Topic("$tb", Bob, "B");
        var b = room.Snapshot();

        var (graph, maps) = await room.LoadAsync(a, b);
        var resolver = new StateResolver(graph);
        resolver.Resolve(maps);

        Assert.Equal(["$ta", "$tb"], resolver.LastFullConflictedSet.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Power_events_are_ordered_only_by_auth_edges_between_full_conflicted_set_members()
    {
        // $jr2 (Carol) reaches $jr only through Carol's join $jc, which both sets hold. Synapse walks auth edges only
        // through full-set members, so nothing orders $jr before $jr2 and the earlier timestamp of $jr2 puts it first.
        var room = new TestRoom();
        room.Join("$ja", Alice, ts: 2);
        room.PowerLevels("$pl", new { users = new Dictionary<string, int> { [Alice] = 100 } }, ts: 3);
        room.Add("$jr", EventTypes.JoinRules, Alice, "", new { join_rule = "public" }, ts: 100);
        room.PowerLevels("$pl2", new { users = new Dictionary<string, int> { [Alice] = 100, [Carol] = 100 } }, ts: 50);
        room.Join("$jc", Carol, ts: 101);
        room.Add("$jr2", EventTypes.JoinRules, Carol, "", new { join_rule = "invite" }, ts: 60);
        var a = room.Snapshot();
        var b = new Dictionary<StateKey, string>(a) { [PowerLevels] = "$pl", [JoinRules] = "$jr" };

        var (graph, maps) = await room.LoadAsync(a, b);
        var resolver = new StateResolver(graph);
        var result = resolver.Resolve(maps);

        Assert.Equal(["$pl", "$pl2", "$jr2", "$jr"], resolver.LastPowerOrder);
        Assert.Equal("$jr", graph.Get(result, JoinRules));
    }

    [Fact]
    public async Task The_create_event_counts_as_a_power_event()
    {
        var room = new TestRoom().Bootstrap();
        var a = room.Snapshot();
        var b = new Dictionary<StateKey, string>(a);
        b.Remove(new StateKey(EventTypes.Create, ""));

        var (graph, maps) = await room.LoadAsync(a, b);
        var resolver = new StateResolver(graph);
        var result = resolver.Resolve(maps);

        Assert.Equal("$create", resolver.LastPowerOrder[0]);
        Assert.Equal("$create", graph.Get(result, new StateKey(EventTypes.Create, "")));
    }

    [Fact]
    public async Task The_mainline_lookup_checks_the_event_itself_first()
    {
        var room = new TestRoom().Bootstrap();
        room.PowerLevels("$pl2", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 10 } });
        room.PowerLevels("$pl3", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 20 } });
        room.Topic("$t", Alice, "x");
        var (graph, _) = await room.LoadAsync(room.Snapshot());
        var resolver = new StateResolver(graph);

        // Mainline of $pl3: $pl (1), $pl2 (2), $pl3 (3). The spec starts from $pl2's power-levels auth event ($pl, 1);
        // Synapse finds $pl2 itself on the mainline (2).
        Assert.Equal([2, 3, 1, 0], resolver.MainlineDepths("$pl3", "$pl2", "$t", "$pl", "$create"));
    }

    [Fact]
    public async Task A_join_rules_event_without_join_rule_counts_as_invite_during_replay()
    {
        var room = new TestRoom().Bootstrap();
        var fork = room.Snapshot();
        room.Add("$jr2", EventTypes.JoinRules, Alice, "", new { join_rules = "public" });
        var a = room.Snapshot();
        room.ForkFrom("$jr", fork);
        room.Join("$je", Erin);
        var b = room.Snapshot();

        var (graph, maps) = await room.LoadAsync(a, b);
        var result = new StateResolver(graph).Resolve(maps);

        Assert.Equal("$jr2", graph.Get(result, JoinRules));
        Assert.Null(graph.Get(result, new StateKey(EventTypes.Member, Erin)));
    }

    [Fact]
    public async Task An_event_rejected_earlier_is_never_admitted_even_when_it_would_pass_now()
    {
        var room = new TestRoom().Bootstrap();
        var fork = room.Snapshot();
        room.Topic("$ta", Alice, "A", ts: 10);
        var a = room.Snapshot();
        room.ForkFrom("$jr", fork);
        room.Topic("$tb", Alice, "B", ts: 20);
        var b = room.Snapshot();
        room.Source.Add(room["$tb"], isRejected: true);

        var (graph, maps) = await room.LoadAsync(a, b);
        var result = new StateResolver(graph).Resolve(maps);

        Assert.Equal("$ta", graph.Get(result, Topic));
    }

    [Fact]
    public async Task The_creators_first_join_counts_only_with_exactly_the_create_event_as_prev()
    {
        var room = new TestRoom();
        room.Add("$msg", EventTypes.Message, Alice, null, new { body = "x" }, prev: ["$create"]);
        room.Join("$ja", Alice, prev: ["$create", "$msg"]);
        var a = room.Snapshot();
        var b = new Dictionary<StateKey, string> { [new StateKey(EventTypes.Create, "")] = "$create" };

        var (graph, maps) = await room.LoadAsync(a, b);
        var result = new StateResolver(graph).Resolve(maps);

        Assert.Null(graph.Get(result, new StateKey(EventTypes.Member, Alice)));
    }

    [Theory]
    [InlineData("2", false)]
    [InlineData("1", true)]
    public async Task A_key_missing_from_one_set_is_conflicted_in_v2_but_not_in_v1(string version, bool kept)
    {
        var room = new TestRoom(version).Bootstrap();
        room.Join("$jb", Bob);
        var b = room.Snapshot();
        room.Topic("$tb", Bob, "no power");
        var a = room.Snapshot();

        var (graph, maps) = await room.LoadAsync(a, b);
        var result = new StateResolver(graph).Resolve(maps);

        Assert.Equal(kept ? "$tb" : null, graph.Get(result, Topic));
    }

    [Fact]
    public async Task Rejected_auth_events_are_ignored_when_assembling_the_auth_state()
    {
        // $pl2 (giving Bob 50) was rejected; Bob's topic cites it, so during replay only the unconflicted $pl counts.
        var room = new TestRoom().Bootstrap();
        room.Join("$jb", Bob);
        var fork = room.Snapshot();
        room.PowerLevels("$pl2", new { users = new Dictionary<string, int> { [Alice] = 100, [Bob] = 50 } });
        room.Topic("$tb", Bob, "B");
        room.Source.Add(room["$pl2"], isRejected: true);
        var a = new Dictionary<StateKey, string>(fork) { [Topic] = "$tb" };

        var (graph, maps) = await room.LoadAsync(a, fork);
        var result = new StateResolver(graph).Resolve(maps);

        Assert.Null(graph.Get(result, Topic));
    }
}
