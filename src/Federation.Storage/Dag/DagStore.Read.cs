using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    // The statements prepared below (once per pooled connection) run for nearly every received event: unprepared, Postgres
    // spent more time parsing and planning them than executing them. Their plans are index probes whatever the values.
    private const string EventColumns =
        """
        i.event_id, r.room_version, e.status, e.rejection_reason, e.outlier, e.backfilled, e.stream_ordering,
        j.json, j.redacted_json
        """;

    private const string EventJoins =
        """
        event_ids i JOIN events e USING (event_nid) JOIN rooms r ON r.room_nid = e.room_nid
        JOIN event_json j ON j.event_nid = e.event_nid
        """;

    private const string SelectEventsByIdSql = $"SELECT {EventColumns} FROM {EventJoins} WHERE i.event_id = ANY ($1)";

    private const string SelectRoomEventsByIdSql =
        $"SELECT {EventColumns} FROM {EventJoins} WHERE i.room_nid = $1 AND i.event_id = ANY ($2)";

    private const string SelectEventsByNidSql = $"SELECT {EventColumns}, e.event_nid FROM {EventJoins} WHERE e.event_nid = ANY ($1)";

    private const string SelectStateGroupsSql =
        """
        SELECT e.state_before_group, e.state_after_group
        FROM event_ids i JOIN events e USING (event_nid) WHERE i.room_nid = $1 AND i.event_id = $2
        """;

    private const string SelectExtremitiesSql =
        """
        SELECT i.event_id FROM forward_extremities f JOIN event_ids i USING (event_nid) JOIN events e USING (event_nid)
        WHERE f.room_nid = $1 ORDER BY e.depth DESC, e.stream_ordering DESC
        """;

    private const string AnyJoinedSql = "SELECT EXISTS (SELECT 1 FROM events WHERE event_nid = ANY ($1) AND membership = 'join')";

    private const string SelectHeldNidsSql =
        "SELECT e.event_nid FROM event_ids i JOIN events e USING (event_nid) WHERE i.room_nid = $1 AND i.event_id = ANY ($2)";

    /// <summary>The held events among <paramref name="eventIds"/> (any room, any status), in the order asked; unknown
    /// ids are left out.</summary>
    public Task<IReadOnlyList<StoredEvent>> GetEventsAsync(IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default) =>
        GetEventsAsync(null, eventIds, cancellationToken);

    /// <summary>The events among <paramref name="eventIds"/> held in room <paramref name="roomId"/> (any status), in the
    /// order asked; ids unknown there are left out.</summary>
    public async Task<IReadOnlyList<StoredEvent>> GetEventsAsync(
        string? roomId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return [];
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var ids = eventIds.Distinct(StringComparer.Ordinal).ToArray();
        RoomRef? room = null;
        if (roomId is not null && (room = await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false)) is null)
        {
            return [];
        }

        await using var command = room is null
            ? Sql.Command(connection, SelectEventsByIdSql, (object)ids)
            : Sql.Command(connection, SelectRoomEventsByIdSql, room.Nid, ids);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        var found = new Dictionary<string, StoredEvent>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var stored = ReadEvent(reader);
                found.TryAdd(stored.EventId, stored);
            }
        }

        return [.. eventIds.Distinct(StringComparer.Ordinal).Where(found.ContainsKey).Select(id => found[id])];
    }

    /// <summary>The event ids of the state before or after <paramref name="eventId"/>, or null when the room does not
    /// hold the event with state (unknown, in another room, or an outlier).</summary>
    public async Task<IReadOnlyList<string>?> GetStateIdsAsync(
        string roomId, string eventId, StatePosition position, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var state = await StateAtAsync(connection, roomId, eventId, position, withEventIds: true, cancellationToken).ConfigureAwait(false);
        return state is null ? null : Array.AsReadOnly(state.EventIds!);
    }

    /// <summary>The state before or after <paramref name="eventId"/> as a map, or null as for <see cref="GetStateIdsAsync"/>.</summary>
    public async Task<IReadOnlyDictionary<StateSlot, string>?> GetStateAsync(
        string roomId, string eventId, StatePosition position, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var state = await StateAtAsync(connection, roomId, eventId, position, withEventIds: true, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return null;
        }

        var slots = state.Map.Keys.ToArray();
        await interner.LoadSlotsAsync(connection, slots, cancellationToken).ConfigureAwait(false);
        // Keys and values of an unchanged dictionary enumerate in the same order, so the ids line up with the slots.
        var ids = state.EventIds!;
        var result = new Dictionary<StateSlot, string>(slots.Length);
        for (var i = 0; i < slots.Length; i++)
        {
            result[interner.TryGetSlot(slots[i], out var slot) ? slot : throw new InvalidOperationException($"Unknown slot {slots[i]}.")] = ids[i];
        }

        return result;
    }

    /// <summary>
    /// Whether some user of <paramref name="serverName"/> was joined in the state before or after
    /// <paramref name="eventId"/> (server-side history visibility), or null when the state is not held.
    /// </summary>
    public async Task<bool?> ServerHadJoinedMemberAsync(
        string roomId, string eventId, string serverName, StatePosition position = StatePosition.After, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverName);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var state = await StateAtAsync(connection, roomId, eventId, position, withEventIds: false, cancellationToken).ConfigureAwait(false);
        if (state is null)
        {
            return null;
        }

        await interner.LoadSlotsAsync(connection, state.Map.Keys, cancellationToken).ConfigureAwait(false);
        var members = new List<long>();
        foreach (var (slotNid, eventNid) in state.Map)
        {
            if (interner.TryGetSlot(slotNid, out var slot)
                && slot.Type == EventTypes.Member
                && string.Equals(MatrixIds.ServerNameOf(slot.StateKey), serverName, StringComparison.Ordinal))
            {
                members.Add(eventNid);
            }
        }

        if (members.Count == 0)
        {
            return false;
        }

        await using var command = Sql.Command(connection, AnyJoinedSql, members.ToArray());
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>The room's forward extremities, deepest first (empty for an unknown room).</summary>
    public async Task<IReadOnlyList<string>> GetForwardExtremitiesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        await using var command = Sql.Command(connection, SelectExtremitiesSql, room.Nid);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The auth chain of <paramref name="eventIds"/> in room <paramref name="roomId"/>: every held event reachable
    /// through auth_events, with the given events themselves only when <paramref name="includeGiven"/> (or when one is
    /// in another's chain). Ids not held in the room are ignored. Walked in memory over the room's integer auth graph.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetAuthChainAsync(
        string roomId, IReadOnlyCollection<string> eventIds, bool includeGiven = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        var nids = new List<long>();
        await using (var command = Sql.Command(connection, SelectHeldNidsSql, room.Nid, eventIds.ToArray()))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                nids.Add(reader.GetInt64(0));
            }
        }

        if (nids.Count == 0)
        {
            return [];
        }

        var graph = authGraphs.For(room.Nid);
        await graph.RefreshAsync(connection, cancellationToken).ConfigureAwait(false);
        return graph.AuthChain(nids, includeGiven);
    }

    // With event ids: the state's EventIds are set, taken from the big rows of its chain where they are stored and
    // looked up for the rest.
    private async Task<ResolvedState?> StateAtAsync(
        NpgsqlConnection connection, string roomId, string eventId, StatePosition position, bool withEventIds, CancellationToken cancellationToken)
    {
        if (await StateGroupAtAsync(connection, roomId, eventId, position, cancellationToken).ConfigureAwait(false) is not long groupNid)
        {
            return null;
        }

        var workspace = new StateGroupWorkspace(stateGroups, connection, null);
        await workspace.EnsureChainAsync(groupNid, -1, stopAtResolved: true, cancellationToken).ConfigureAwait(false);
        var state = workspace.MaterialiseCommitted(groupNid);
        if (withEventIds && state.EventIds is null)
        {
            state.EventIds = await eventIds.GetManyAsync(
                connection, [.. state.Map.Values], workspace.KnownEventIds(groupNid), cancellationToken).ConfigureAwait(false);
        }

        return state;
    }

    /// <summary>The state group before or after a held, non-outlier event of the room; null otherwise.</summary>
    private async Task<long?> StateGroupAtAsync(
        NpgsqlConnection connection, string roomId, string eventId, StatePosition position, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        await using var command = Sql.Command(connection, SelectStateGroupsSql, room.Nid, eventId);
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var column = position == StatePosition.Before ? 0 : 1;
        return reader.IsDBNull(column) ? null : reader.GetInt64(column);
    }

    private static async Task<Dictionary<long, StoredEvent>> ReadEventsByNidAsync(
        NpgsqlConnection connection, long[] nids, CancellationToken cancellationToken)
    {
        var events = new Dictionary<long, StoredEvent>(nids.Length);
        if (nids.Length == 0)
        {
            return events;
        }

        await using var command = Sql.Command(connection, SelectEventsByNidSql, nids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events[reader.GetInt64(9)] = ReadEvent(reader);
        }

        return events;
    }

    private static StoredEvent ReadEvent(NpgsqlDataReader reader)
    {
        var eventId = reader.GetString(0);
        var version = RoomVersion.Get(reader.GetString(1));
        var json = reader.GetFieldValue<byte[]>(7);
        var pdu = Pdu.WithTrustedId(JsonSerializer.Deserialize<JsonElement>(json), version, eventId);
        return new StoredEvent(
            pdu,
            (EventStatus)reader.GetInt16(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.GetBoolean(4),
            reader.GetBoolean(5),
            reader.GetInt64(6),
            json,
            reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[]>(8));
    }

    private static async Task<List<string>> ReadStringsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }
}
