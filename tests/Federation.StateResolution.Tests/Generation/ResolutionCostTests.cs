using Federation.StateResolution.Dag;
using Federation.StateResolution.Events;
using Federation.StateResolution.Generation;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Tests.Generation;

/// <summary>
/// The cost of a resolution must follow the conflict, not the room: measured as graph nodes touched (deterministic),
/// not wall time.
/// </summary>
public class ResolutionCostTests
{
    private static async Task<ResolutionStats> ResolveTips(string version, int members, int forkDepth)
    {
        var room = RoomGenerator.Generate(new RoomGeneratorOptions
        {
            RoomVersion = version,
            Seed = 11,
            Members = members,
            PowerLevelChanges = 20,
            Churn = 0.2,
            ForkWidth = 2,
            ForkDepth = forkDepth,
        });
        var source = new InMemoryEventSource();
        source.AddRange(room.Events);
        var graph = new RoomGraph(room.RoomVersion, source);
        var dag = new DagStateCalculator(graph, DagMode.TrustDag);
        var tips = new List<StateMap>();
        foreach (var tip in room.Tips)
        {
            tips.Add(await dag.StateAfterAsync(tip));
        }

        var stats = new ResolutionStats();
        new StateResolver(graph, stats).Resolve(tips);
        return stats;
    }

    [Theory]
    [InlineData("10")]
    [InlineData("12")]
    public async Task Nodes_touched_by_a_small_fork_do_not_grow_with_the_number_of_members(string version)
    {
        var small = await ResolveTips(version, 1_000, 20);
        var large = await ResolveTips(version, 8_000, 20);

        Assert.InRange(small.ConflictedKeys, 1, 40);
        Assert.InRange(large.ConflictedKeys, 1, 40);
        Assert.True(large.NodesVisited < 400, $"{large.NodesVisited} nodes visited for a 40-event fork in an 8k-member room");
        Assert.True(large.NodesVisited < (3 * small.NodesVisited) + 100, $"{large.NodesVisited} vs {small.NodesVisited}");
    }
}
