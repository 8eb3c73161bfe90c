using Federation.Storage.Dag.Auth;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    /// <summary>
    /// The auth chain difference of <paramref name="stateSets"/> (each a state's event ids) in room
    /// <paramref name="roomId"/>: the events in the auth chain of some set but not of every set, where a set's auth chain
    /// includes the set's own events (Synapse's definition, as the resolver uses it). Ids not held in the room are
    /// ignored. Computed in memory from the events that differ between the sets (see
    /// <see cref="AuthChainDifference"/>); the cost follows the conflict and its history, not the size of the state.
    /// Ordered by event id.
    /// </summary>
    /// <exception cref="ArgumentException">More than 64 sets.</exception>
    public async Task<IReadOnlyList<string>> GetAuthChainDifferenceAsync(
        string roomId, IReadOnlyList<IReadOnlyCollection<string>> stateSets, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stateSets);
        if (stateSets.Count > AuthChainDifference.MaxSets)
        {
            throw new ArgumentException($"At most {AuthChainDifference.MaxSets} state sets.", nameof(stateSets));
        }

        var graph = await RefreshedAuthGraphAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (graph is null || stateSets.Count < 2)
        {
            return [];
        }

        return graph.Read(g =>
        {
            var sets = new List<HashSet<long>>(stateSets.Count);
            foreach (var ids in stateSets)
            {
                var set = new HashSet<long>(ids.Count);
                foreach (var id in ids)
                {
                    if (g.TryGetNid(id, out var nid))
                    {
                        set.Add(nid);
                    }
                }

                sets.Add(set);
            }

            return IdsOf(g, AuthChainDifference.Compute(g, new EventSetsView(sets)));
        });
    }

    /// <summary>
    /// As <see cref="GetAuthChainDifferenceAsync(string, IReadOnlyList{IReadOnlyCollection{string}}, CancellationToken)"/>
    /// for the states before or after <paramref name="eventIds"/> (typically the prev events of an event whose state
    /// is being resolved), read from the stored state groups without listing their ids; null when one of those states
    /// is not held.
    /// </summary>
    public async Task<IReadOnlyList<string>?> GetAuthChainDifferenceAtAsync(
        string roomId, IReadOnlyList<string> eventIds, StatePosition position = StatePosition.After, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count > AuthChainDifference.MaxSets)
        {
            throw new ArgumentException($"At most {AuthChainDifference.MaxSets} state sets.", nameof(eventIds));
        }

        List<Dictionary<long, long>> states;
        HashSet<long> candidates;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room
                || await StateGroupsOfAsync(connection, room, eventIds, position, cancellationToken).ConfigureAwait(false) is not { } groups)
            {
                return null;
            }

            // Whole chains (cached rows when warm), so that the states can be compared by their rows.
            var workspace = new StateGroupWorkspace(stateGroups, connection, null);
            var chains = new List<List<StateGroupRow>>(groups.Length);
            states = new List<Dictionary<long, long>>(groups.Length);
            foreach (var group in groups)
            {
                await workspace.EnsureChainAsync(group, -1, stopAtResolved: false, cancellationToken).ConfigureAwait(false);
                chains.Add(workspace.Chain(group));
                states.Add(workspace.MaterialiseCommitted(group).Map);
            }

            candidates = StateDifference.CandidateSlots(chains);
        }

        var graph = await RefreshedAuthGraphAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (graph is null || states.Count < 2)
        {
            return [];
        }

        return graph.Read(g => IdsOf(g, AuthChainDifference.Compute(g, new StateMapsView(states, candidates, g.SlotOf))));
    }

    // The state groups before or after each event, in order, in one query; null when one is unknown or an outlier.
    private static async Task<long[]?> StateGroupsOfAsync(
        NpgsqlConnection connection, RoomRef room, IReadOnlyList<string> eventIds, StatePosition position, CancellationToken cancellationToken)
    {
        const string sql =
            """
            SELECT i.event_id, e.state_before_group, e.state_after_group
            FROM event_ids i JOIN events e USING (event_nid) WHERE i.room_nid = $1 AND i.event_id = ANY ($2)
            """;
        var found = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = Sql.Command(connection, sql, room.Nid, eventIds.ToArray()))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var column = position == StatePosition.Before ? 1 : 2;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!reader.IsDBNull(column))
                {
                    found[reader.GetString(0)] = reader.GetInt64(column);
                }
            }
        }

        var groups = new long[eventIds.Count];
        for (var i = 0; i < groups.Length; i++)
        {
            if (!found.TryGetValue(eventIds[i], out groups[i]))
            {
                return null;
            }
        }

        return groups;
    }

    private async Task<RoomAuthGraph?> RefreshedAuthGraphAsync(string roomId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        var graph = authGraphs.For(room.Nid);
        await graph.RefreshAsync(connection, cancellationToken).ConfigureAwait(false);
        return graph;
    }

    private static List<string> IdsOf(RoomAuthGraph graph, List<long> nids)
    {
        var ids = nids.Select(graph.EventIdOf).ToList();
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }
}
