using Federation.Protocol.Events;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Tests.Support;
using static Federation.StateResolution.Tests.Support.TestRoom;

namespace Federation.StateResolution.Tests.Dag;

public class DagStateCalculatorTests
{
    private static (TestRoom Room, RoomGraph Graph) ForkedRoom()
    {
        var room = new TestRoom().Bootstrap();
        room.Join("$jb", Bob);
        var fork = room.Snapshot();
        room.Topic("$ta", Alice, "A");
        room.ForkFrom("$jb", fork);
        room.Topic("$tb", Bob, "B (no power)");
        room.Add("$end", EventTypes.Message, Alice, null, new { body = "merge" }, prev: ["$ta", "$tb"]);
        return (room, new RoomGraph(room.Version, room.Source));
    }

    [Fact]
    public async Task The_state_before_an_event_with_one_prev_is_the_state_after_that_prev()
    {
        var (_, graph) = ForkedRoom();
        var dag = new DagStateCalculator(graph, DagMode.TrustDag);
        Assert.Same(await dag.StateAfterAsync("$jb"), await dag.StateBeforeAsync("$ta"));
        Assert.Equal(0, (await dag.StateBeforeAsync("$create")).Count);
    }

    [Fact]
    public async Task The_state_after_a_state_event_contains_it_and_after_a_message_equals_the_state_before()
    {
        var (_, graph) = ForkedRoom();
        var dag = new DagStateCalculator(graph, DagMode.TrustDag);
        Assert.Equal("$ta", graph.Get(await dag.StateAfterAsync("$ta"), new StateKey(EventTypes.Topic, "")));
        Assert.Same(await dag.StateBeforeAsync("$end"), await dag.StateAfterAsync("$end"));
    }

    [Fact]
    public async Task Rejecting_mode_leaves_the_state_unchanged_after_an_unauthorised_event_and_marks_it_rejected()
    {
        var (_, graph) = ForkedRoom();
        var dag = new DagStateCalculator(graph, DagMode.RejectUnauthorised);
        Assert.Same(await dag.StateBeforeAsync("$tb"), await dag.StateAfterAsync("$tb"));
        Assert.True(dag.IsRejected("$tb"));
        Assert.False(dag.IsRejected("$ta"));
        Assert.Equal("$ta", graph.Get(await dag.StateBeforeAsync("$end"), new StateKey(EventTypes.Topic, "")));
    }

    [Fact]
    public async Task Trusting_the_dag_keeps_the_unauthorised_event_until_resolution_drops_it()
    {
        var (_, graph) = ForkedRoom();
        var dag = new DagStateCalculator(graph, DagMode.TrustDag);
        Assert.Equal("$tb", graph.Get(await dag.StateAfterAsync("$tb"), new StateKey(EventTypes.Topic, "")));
        Assert.Equal("$ta", graph.Get(await dag.StateBeforeAsync("$end"), new StateKey(EventTypes.Topic, "")));
    }

    [Fact]
    public async Task An_unknown_prev_event_is_reported_by_id()
    {
        var room = new TestRoom().Bootstrap();
        room.Topic("$t", Alice, "x", prev: ["$gone"]);
        var dag = new DagStateCalculator(new RoomGraph(room.Version, room.Source), DagMode.TrustDag);
        var error = await Assert.ThrowsAsync<StateResolutionException>(async () => await dag.StateBeforeAsync("$t"));
        Assert.Contains("$gone", error.Message, StringComparison.Ordinal);
    }
}
