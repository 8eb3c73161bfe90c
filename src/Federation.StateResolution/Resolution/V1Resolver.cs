using System.Security.Cryptography;
using System.Text;
using Federation.Protocol.Events;
using Federation.StateResolution.Auth;
using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Resolution;

/// <summary>
/// The original state resolution of room version 1, as Synapse runs it: a key is conflicted only when two sets hold
/// different events; power levels, then join rules, then memberships are resolved by ascending depth (ties: descending
/// sha1 of the event id) as long as each next event passes auth; other keys take the deepest event that passes auth.
/// </summary>
internal sealed class V1Resolver(RoomGraph graph, ResolutionStats? stats)
{
    public StateMap Resolve(IReadOnlyList<StateMap> sets)
    {
        if (sets.Count == 0)
        {
            return StateMap.Empty;
        }

        var first = sets[0];
        if (sets.Count == 1)
        {
            return first;
        }

        stats?.Resolutions += 1;
        var differing = new List<int>();
        for (var i = 1; i < sets.Count; i++)
        {
            StateMap.CollectDifferentKeys(first, sets[i], differing);
        }

        // Keys where the sets disagree: one distinct event (others lack the key) is not a conflict in v1.
        var unconflicted = new Dictionary<int, int>();
        var conflicted = new Dictionary<int, List<int>>();
        foreach (var key in differing)
        {
            if (unconflicted.ContainsKey(key) || conflicted.ContainsKey(key))
            {
                continue;
            }

            var values = new List<int>(sets.Count);
            foreach (var set in sets)
            {
                var node = set.Get(key);
                if (node >= 0 && !values.Contains(node))
                {
                    values.Add(node);
                }
            }

            if (values.Count == 1)
            {
                unconflicted[key] = values[0];
            }
            else
            {
                conflicted[key] = values;
            }
        }

        var builder = first.ToBuilder();
        foreach (var (key, node) in unconflicted)
        {
            builder.Set(key, node);
        }

        if (conflicted.Count == 0)
        {
            return builder.ToStateMap();
        }

        stats?.ConflictedKeys += conflicted.Count;

        int UnconflictedAt(int key) =>
            conflicted.ContainsKey(key) ? -1 : unconflicted.TryGetValue(key, out var node) ? node : first.Get(key);

        // Auth events for the conflicted events, taken from the unconflicted state only.
        var authEvents = new Dictionary<int, int>();
        foreach (var values in conflicted.Values)
        {
            foreach (var node in values)
            {
                if (!graph.IsLoaded(node))
                {
                    continue;
                }

                foreach (var key in graph.ReplayKeys(node))
                {
                    if (!authEvents.ContainsKey(key) && UnconflictedAt(key) is var auth and >= 0 && graph.IsLoaded(auth))
                    {
                        authEvents[key] = auth;
                    }
                }
            }
        }

        // Events the store lacks are dropped; a key left with one event is unconflicted after all.
        var toResolve = new Dictionary<int, List<int>>();
        foreach (var (key, values) in conflicted)
        {
            var loaded = values.FindAll(graph.IsLoaded);
            if (loaded.Count > 1)
            {
                toResolve[key] = loaded;
            }
            else if (loaded.Count == 1)
            {
                builder.Set(key, loaded[0]);
            }
            else
            {
                builder.Remove(key);
            }
        }

        foreach (var (key, node) in ResolveStateEvents(toResolve, authEvents))
        {
            builder.Set(key, node);
        }

        return builder.ToStateMap();
    }

    private Dictionary<int, int> ResolveStateEvents(Dictionary<int, List<int>> conflicted, Dictionary<int, int> authEvents)
    {
        var resolved = new Dictionary<int, int>();
        if (conflicted.TryGetValue(graph.PowerLevelsKey, out var powerLevels))
        {
            resolved[graph.PowerLevelsKey] = ResolveAuthEvents(powerLevels, authEvents);
        }

        Publish(resolved, authEvents);
        foreach (var (key, events) in conflicted)
        {
            if (graph.Key(key).Type == EventTypes.JoinRules)
            {
                resolved[key] = ResolveAuthEvents(events, authEvents);
            }
        }

        Publish(resolved, authEvents);
        foreach (var (key, events) in conflicted)
        {
            if (graph.Key(key).Type == EventTypes.Member)
            {
                resolved[key] = ResolveAuthEvents(events, authEvents);
            }
        }

        Publish(resolved, authEvents);
        foreach (var (key, events) in conflicted)
        {
            if (!resolved.ContainsKey(key))
            {
                resolved[key] = ResolveNormalEvents(events, authEvents);
            }
        }

        return resolved;
    }

    private static void Publish(Dictionary<int, int> resolved, Dictionary<int, int> authEvents)
    {
        foreach (var (key, node) in resolved)
        {
            authEvents[key] = node;
        }
    }

    private int ResolveAuthEvents(List<int> events, Dictionary<int, int> authEvents)
    {
        var ordered = Ordered(events);
        ordered.Reverse();
        var restricted = new Dictionary<int, int>();
        foreach (var node in events)
        {
            foreach (var key in graph.ReplayKeys(node))
            {
                if (authEvents.TryGetValue(key, out var auth))
                {
                    restricted[key] = auth;
                }
            }
        }

        var previous = ordered[0];
        for (var i = 1; i < ordered.Count; i++)
        {
            restricted[graph.KeyOf(previous)] = previous;
            if (!Allowed(ordered[i], restricted))
            {
                return previous;
            }

            previous = ordered[i];
        }

        return previous;
    }

    private int ResolveNormalEvents(List<int> events, Dictionary<int, int> authEvents)
    {
        var ordered = Ordered(events);
        foreach (var node in ordered)
        {
            if (Allowed(node, authEvents))
            {
                return node;
            }
        }

        return ordered[^1];
    }

    private bool Allowed(int node, Dictionary<int, int> authEvents)
    {
        var pdu = graph.Pdu(node);
        var keys = AuthKeys.Of(pdu);
        var state = default(AuthState);
        foreach (var auth in authEvents.Values)
        {
            keys.Assign(ref state, graph.Pdu(auth));
        }

        stats?.AuthChecks += 1;
        return AuthRules.Check(pdu, state).IsAllowed;
    }

    /// <summary>Descending depth, then ascending sha1(event id) (Synapse's <c>_ordered_events</c>).</summary>
    private List<int> Ordered(List<int> events)
    {
        var hashes = new Dictionary<int, byte[]>(events.Count);
        foreach (var node in events)
        {
#pragma warning disable CA5350 // SHA-1 is the protocol's tie-break order for room version 1, not a security measure.
            hashes[node] = SHA1.HashData(Encoding.UTF8.GetBytes(graph.EventId(node)));
#pragma warning restore CA5350
        }

        var ordered = new List<int>(events);
        ordered.Sort((x, y) =>
        {
            var byDepth = graph.Pdu(y).Depth.CompareTo(graph.Pdu(x).Depth);
            return byDepth != 0 ? byDepth : hashes[x].AsSpan().SequenceCompareTo(hashes[y]);
        });
        return ordered;
    }
}
