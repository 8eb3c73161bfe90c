using System.Diagnostics;
using System.Text.Json.Nodes;
using Federation.Protocol.Events;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Events;
using Federation.StateResolution.Generation;
using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Benchmarks.Harness;

/// <summary>Two state sets of a generated room and how much they conflict.</summary>
/// <param name="PrefixA">Events of branch 0 applied on top of the fork point.</param>
/// <param name="PrefixB">Events of branch 1 applied on top of the fork point.</param>
/// <param name="SetA">The state after branch 0's prefix.</param>
/// <param name="SetB">The state after branch 1's prefix.</param>
/// <param name="ConflictedKeys">Keys whose events differ between the sets (missing counts as different).</param>
/// <param name="ConflictedEvents">Distinct events at those keys over both sets: Synapse's "conflicted state".</param>
internal sealed record ForkChoice(int PrefixA, int PrefixB, StateMap SetA, StateMap SetB, int ConflictedKeys, int ConflictedEvents)
{
    public IReadOnlyList<StateMap> Sets => [SetA, SetB];

    public JsonObject ToJson() => new()
    {
        ["branch_events_used"] = new JsonArray(PrefixA, PrefixB),
        ["conflicted_keys"] = ConflictedKeys,
        ["conflicted_events"] = ConflictedEvents,
        ["state_set_sizes"] = new JsonArray(SetA.Count, SetB.Count),
    };
}

/// <summary>
/// A room from <see cref="RoomGenerator"/> loaded into a graph, with the state after every event of its common history
/// and of each branch (the DAG calculator in <see cref="DagMode.TrustDag"/> keeps them all; maps share structure).
/// </summary>
internal sealed class ForkedRoom
{
    private ForkedRoom(RoomGeneratorOptions options, GeneratedRoom room, InMemoryEventSource source, RoomGraph graph, DagStateCalculator dag, List<List<string>> branches)
    {
        Options = options;
        Room = room;
        Source = source;
        Graph = graph;
        Dag = dag;
        Branches = branches;
    }

    public RoomGeneratorOptions Options { get; }

    public GeneratedRoom Room { get; }

    public InMemoryEventSource Source { get; }

    public RoomGraph Graph { get; }

    public DagStateCalculator Dag { get; }

    /// <summary>The event ids of each branch, oldest first.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Branches { get; }

    public double GenerateMs { get; private set; }

    public double LoadMs { get; private set; }

    /// <summary>Managed heap held by the generated events (PDUs with their JSON), when measured.</summary>
    public long EventsHeapBytes { get; private set; } = -1;

    /// <summary>Managed heap held by the graph, the event source and the DAG states at every event, when measured.</summary>
    public long GraphHeapBytes { get; private set; } = -1;

    /// <param name="options">What to generate.</param>
    /// <param name="measureHeap">Whether to measure the heap between the steps (full collections: slower).</param>
    public static async Task<ForkedRoom> BuildAsync(RoomGeneratorOptions options, bool measureHeap = false)
    {
        var heap0 = measureHeap ? Measure.HeapAfterCollect() : 0;
        var started = Stopwatch.GetTimestamp();
        var room = RoomGenerator.Generate(options);
        var generated = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var heap1 = measureHeap ? Measure.HeapAfterCollect() : 0;

        started = Stopwatch.GetTimestamp();
        var source = new InMemoryEventSource();
        source.AddRange(room.Events);
        var graph = new RoomGraph(room.RoomVersion, source);
        var dag = new DagStateCalculator(graph, DagMode.TrustDag);
        var byId = room.Events.ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var branches = new List<List<string>>();
        foreach (var tip in room.Tips)
        {
            var branch = new List<string>();
            for (var id = tip; id != room.ForkPoint; id = byId[id].PrevEvents[0])
            {
                branch.Add(id);
            }

            branch.Reverse();
            branches.Add(branch);
            await dag.StateAfterAsync(tip);
        }

        var loaded = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var heap2 = measureHeap ? Measure.HeapAfterCollect() : 0;
        return new ForkedRoom(options, room, source, graph, dag, branches)
        {
            GenerateMs = generated,
            LoadMs = loaded,
            EventsHeapBytes = measureHeap ? heap1 - heap0 : -1,
            GraphHeapBytes = measureHeap ? heap2 - heap1 : -1,
        };
    }

    public int StateEventCount => Room.Events.Count(e => e.StateKey is not null);

    public ValueTask<StateMap> StateAfterPrefixAsync(int branch, int length) =>
        Dag.StateAfterAsync(length == 0 ? Room.ForkPoint : Branches[branch][length - 1]);

    /// <summary>The two branch tips.</summary>
    public async Task<ForkChoice> TipsAsync()
    {
        var a = await StateAfterPrefixAsync(0, Branches[0].Count);
        var b = await StateAfterPrefixAsync(1, Branches[1].Count);
        var (keys, events) = Conflict(a, b);
        return new ForkChoice(Branches[0].Count, Branches[1].Count, a, b, keys, events);
    }

    /// <summary>
    /// Two forks of about equal length (prefixes (n, n) or (n+1, n) of the two branches) whose conflicted state has
    /// <paramref name="targetEvents"/> events, or the nearest count to it.
    /// </summary>
    public async Task<ForkChoice> SelectForkAsync(int targetEvents)
    {
        // Balanced forks first (prefixes (n, n), (n+1, n), (n, n+1)); only if none comes within 5 % of the target,
        // forks that changed one side only (which can give a single conflicted event: a new key on one side).
        ForkChoice? best = null;
        foreach (var balanced in new[] { true, false })
        {
            for (var total = 1; total <= Branches[0].Count + Branches[1].Count; total++)
            {
                var candidates = balanced
                    ? new[] { ((total + 1) / 2, total / 2), (total / 2, (total + 1) / 2) }
                    : new[] { (total, 0), (0, total) };
                var smallest = int.MaxValue;
                foreach (var (a, b) in candidates.Distinct())
                {
                    if (a > Branches[0].Count || b > Branches[1].Count)
                    {
                        continue;
                    }

                    var setA = await StateAfterPrefixAsync(0, a);
                    var setB = await StateAfterPrefixAsync(1, b);
                    var (keys, events) = Conflict(setA, setB);
                    var choice = new ForkChoice(a, b, setA, setB, keys, events);
                    if (events == targetEvents)
                    {
                        return choice;
                    }

                    smallest = Math.Min(smallest, events);
                    if (events > 0 && (best is null || Math.Abs(events - targetEvents) < Math.Abs(best.ConflictedEvents - targetEvents)))
                    {
                        best = choice;
                    }
                }

                if (smallest != int.MaxValue && smallest > (2 * targetEvents) + 20)
                {
                    break;
                }
            }

            if (balanced && best is not null && Math.Abs(best.ConflictedEvents - targetEvents) <= Math.Max(1, targetEvents / 20))
            {
                return best;
            }
        }

        return best ?? throw new InvalidOperationException("the branches never conflict");
    }

    public static (int Keys, int Events) Conflict(StateMap a, StateMap b)
    {
        var keys = new List<int>();
        StateMap.CollectDifferentKeys(a, b, keys);
        var distinctKeys = keys.Distinct().ToList();
        var events = new HashSet<int>();
        foreach (var key in distinctKeys)
        {
            foreach (var node in new[] { a.Get(key), b.Get(key) })
            {
                if (node >= 0)
                {
                    events.Add(node);
                }
            }
        }

        return (distinctKeys.Count, events.Count);
    }

    /// <summary>Counts of the branch events by kind (to show what the forks contain).</summary>
    public JsonObject BranchContents(int prefixA, int prefixB)
    {
        var byId = Room.Events.ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in Branches[0].Take(prefixA).Concat(Branches[1].Take(prefixB)))
        {
            var pdu = byId[id];
            var kind = pdu.Type switch
            {
                EventTypes.Member when pdu.Membership == "ban" => "ban",
                EventTypes.Member when pdu.Membership == "leave" && pdu.Sender != pdu.StateKey => "kick",
                EventTypes.Member when pdu.Membership == "leave" => "leave",
                EventTypes.Member => "join_or_profile",
                EventTypes.PowerLevels => "power_levels",
                EventTypes.JoinRules => "join_rules",
                EventTypes.Topic => "topic",
                _ => "message",
            };
            counts[kind] = counts.GetValueOrDefault(kind) + 1;
        }

        var json = new JsonObject();
        foreach (var (kind, count) in counts)
        {
            json[kind] = count;
        }

        return json;
    }

    public JsonObject Describe() => new()
    {
        ["room_version"] = Options.RoomVersion,
        ["seed"] = Options.Seed,
        ["members"] = Options.Members,
        ["moderators"] = Options.Moderators,
        ["power_level_changes"] = Options.PowerLevelChanges,
        ["churn"] = Options.Churn,
        ["branch_events"] = new JsonArray(Branches[0].Count, Branches[1].Count),
        ["events"] = Room.Events.Count,
        ["generate_ms"] = Json.Round(GenerateMs, 1),
        ["load_and_dag_states_ms"] = Json.Round(LoadMs, 1),
        ["events_heap_bytes"] = EventsHeapBytes,
        ["graph_and_dag_states_heap_bytes"] = GraphHeapBytes,
    };
}
