using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Events;
using Federation.StateResolution.Generation;
using Federation.StateResolution.Graph;
using Federation.StateResolution.Resolution;

namespace Federation.StateResolution.Tests.Generation;

/// <summary>Properties of resolution checked on seeded generated rooms (room v10 for v2, v12 for v2.1).</summary>
public class GeneratedRoomPropertyTests
{
    public static TheoryData<string, int> Rooms()
    {
        var data = new TheoryData<string, int>();
        foreach (var version in new[] { "10", "12" })
        {
            for (var seed = 1; seed <= 6; seed++)
            {
                data.Add(version, seed);
            }
        }

        return data;
    }

    private static async Task<(RoomGraph Graph, List<StateMap> Tips, GeneratedRoom Room)> TipStates(string version, int seed, int width = 3)
    {
        var room = RoomGenerator.Generate(new RoomGeneratorOptions
        {
            RoomVersion = version,
            Seed = seed,
            Members = 60,
            PowerLevelChanges = 4,
            Churn = 0.2,
            ForkWidth = width,
            ForkDepth = 12,
            UnauthorisedRate = 0.1,
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

        return (graph, tips, room);
    }

    private static List<KeyValuePair<StateKey, string>> Entries(RoomGraph graph, StateMap map) => graph.ToEntries(map);

    [Theory]
    [MemberData(nameof(Rooms))]
    public async Task The_result_does_not_depend_on_the_order_of_the_state_sets(string version, int seed)
    {
        var (graph, tips, _) = await TipStates(version, seed);
        var expected = Entries(graph, new StateResolver(graph).Resolve(tips));
        for (var rotation = 1; rotation < tips.Count; rotation++)
        {
            var rotated = tips.Skip(rotation).Concat(tips.Take(rotation)).ToList();
            Assert.Equal(expected, Entries(graph, new StateResolver(graph).Resolve(rotated)));
        }

        Assert.Equal(expected, Entries(graph, new StateResolver(graph).Resolve([.. Enumerable.Reverse(tips)])));
    }

    [Theory]
    [MemberData(nameof(Rooms))]
    public async Task The_result_does_not_depend_on_the_order_events_were_loaded_in(string version, int seed)
    {
        var (graph, tips, room) = await TipStates(version, seed);
        var expected = Entries(graph, new StateResolver(graph).Resolve(tips));

        var source = new InMemoryEventSource();
        source.AddRange(room.Events);
        var shuffledGraph = new RoomGraph(room.RoomVersion, source);
        var shuffled = room.Events.Select(e => e.EventId).OrderBy(id => id.GetHashCode(StringComparison.Ordinal)).ToList();
        await shuffledGraph.EnsureLoadedAsync(shuffled);
        var maps = new List<StateMap>();
        foreach (var tip in tips)
        {
            maps.Add(await shuffledGraph.LoadStateAsync(Entries(graph, tip)));
        }

        Assert.Equal(expected, Entries(shuffledGraph, new StateResolver(shuffledGraph).Resolve(maps)));
    }

    [Theory]
    [MemberData(nameof(Rooms))]
    public async Task Resolving_a_single_set_or_identical_sets_returns_that_set(string version, int seed)
    {
        var (graph, tips, _) = await TipStates(version, seed);
        Assert.Same(tips[0], new StateResolver(graph).Resolve([tips[0]]));
        Assert.Equal(Entries(graph, tips[0]), Entries(graph, new StateResolver(graph).Resolve([tips[0], tips[0]])));
    }

    [Theory]
    [MemberData(nameof(Rooms))]
    public async Task The_unconflicted_part_is_kept(string version, int seed)
    {
        var (graph, tips, _) = await TipStates(version, seed);
        var result = new StateResolver(graph).Resolve(tips);
        foreach (var (key, eventId) in Entries(graph, tips[0]))
        {
            if (tips.All(t => graph.Get(t, key) == eventId))
            {
                Assert.Equal(eventId, graph.Get(result, key));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rooms))]
    public async Task V2_and_v21_differ_only_at_conflicted_keys(string version, int seed)
    {
        var (graph, tips, _) = await TipStates(version, seed);
        var v2 = new StateResolver(graph, null, StateResolutionAlgorithm.V2).Resolve(tips);
        var v21 = new StateResolver(graph, null, StateResolutionAlgorithm.V21).Resolve(tips);
        var keys = Entries(graph, v2).Select(e => e.Key).Union(Entries(graph, v21).Select(e => e.Key));
        foreach (var key in keys)
        {
            if (graph.Get(v2, key) != graph.Get(v21, key))
            {
                var values = tips.Select(t => graph.Get(t, key)).Distinct().Count();
                Assert.True(values > 1, $"v2 and v2.1 differ at unconflicted {key}");
            }
        }
    }

    [Fact]
    public async Task Generated_rooms_are_deterministic_for_a_seed()
    {
        var a = RoomGenerator.Generate(new RoomGeneratorOptions { Seed = 9, Members = 30 });
        var b = RoomGenerator.Generate(new RoomGeneratorOptions { Seed = 9, Members = 30 });
        Assert.Equal(a.Events.Select(e => e.Json.GetRawText()), b.Events.Select(e => e.Json.GetRawText()));
        var (graph, tips, _) = await TipStates("10", 9);
        Assert.NotEmpty(tips);
        Assert.True(graph.EventCount > 60);
    }
}
