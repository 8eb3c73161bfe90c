using System.Diagnostics;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Diagnostics;
using Federation.StateResolution.Events;
using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Resolution;

/// <summary>
/// Resolves state sets of one room with the algorithm its room version uses (v1, v2 or v2.1). Reuse one resolver per
/// graph: its scratch space is kept between resolutions. Not thread-safe.
/// </summary>
public sealed class StateResolver
{
    private readonly RoomGraph _graph;
    private readonly V1Resolver? _v1;
    private readonly V2Resolver? _v2;

    public StateResolver(RoomGraph graph, ResolutionStats? stats = null)
        : this(graph, stats, graph?.Version.StateResolution ?? StateResolutionAlgorithm.V2)
    {
    }

    /// <summary>A resolver running <paramref name="algorithm"/> whatever the room version says (for comparisons in tests).</summary>
    internal StateResolver(RoomGraph graph, ResolutionStats? stats, StateResolutionAlgorithm algorithm)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = graph;
        Stats = stats;
        if (algorithm == StateResolutionAlgorithm.V1)
        {
            _v1 = new V1Resolver(graph, stats);
        }
        else
        {
            _v2 = V2Resolver.For(graph, algorithm == StateResolutionAlgorithm.V21);
        }
    }

    /// <summary>Mainline depths of events against the mainline of a power-levels event (for tests).</summary>
    internal int[] MainlineDepths(string powerLevels, params string[] events) =>
        _v2!.MainlineDepths(_graph.IndexOf(powerLevels), [.. events.Select(_graph.IndexOf)]);

    public RoomGraph Graph => _graph;

    internal IReadOnlyList<string> LastFullConflictedSet => _v2 is null ? [] : [.. _v2.LastFullConflictedSet.Select(_graph.EventId)];

    internal IReadOnlyList<string> LastPowerOrder => _v2 is null ? [] : [.. _v2.LastPowerOrder.Select(_graph.EventId)];

    public ResolutionStats? Stats { get; }

    /// <summary>Resolves state maps of this resolver's graph (their events are loaded by construction).</summary>
    public StateMap Resolve(IReadOnlyList<StateMap> stateSets)
    {
        ArgumentNullException.ThrowIfNull(stateSets);
        var started = Stopwatch.GetTimestamp();
        if (_v1 is not null)
        {
            var resolvedV1 = _v1.Resolve(stateSets);
            StateResolutionMetrics.RecordResolution("v1", Stopwatch.GetElapsedTime(started), stateSets.Count, conflictedEvents: null);
            return resolvedV1;
        }

        _v2!.Stats = Stats;
        var resolved = _v2.Resolve(stateSets);
        StateResolutionMetrics.RecordResolution("v2", Stopwatch.GetElapsedTime(started), stateSets.Count, _v2.LastFullConflictedSetSize);
        return resolved;
    }

    /// <summary>
    /// One-shot convenience: resolves state sets given as (key → event id) maps, fetching events from
    /// <paramref name="source"/>. Returns the resolved state sorted by type then state key.
    /// </summary>
    public static async ValueTask<IReadOnlyList<KeyValuePair<StateKey, string>>> ResolveAsync(
        RoomVersion version,
        IEventSource source,
        IReadOnlyList<IReadOnlyDictionary<StateKey, string>> stateSets,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateSets);
        var graph = new RoomGraph(version, source);
        var maps = new List<StateMap>(stateSets.Count);
        foreach (var set in stateSets)
        {
            maps.Add(await graph.LoadStateAsync(set, cancellationToken).ConfigureAwait(false));
        }

        return graph.ToEntries(new StateResolver(graph).Resolve(maps));
    }
}
