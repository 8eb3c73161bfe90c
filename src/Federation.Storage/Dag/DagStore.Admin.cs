using Federation.Storage.Dag.Admin;

namespace Federation.Storage.Dag;

/// <summary>Read-only queries for operators (the <c>federation</c> admin commands and the admin DAG page). None of them
/// takes the room's write lock: they read committed rows and may see a write half a step behind.</summary>
public sealed partial class DagStore
{
    private const string CountRoomEventsSql =
        """
        SELECT count(*), count(*) FILTER (WHERE status = 0), count(*) FILTER (WHERE status = 1),
               count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE outlier), coalesce(max(depth), 0)
        FROM events WHERE room_nid = $1
        """;

    private const string SelectRoomEventsPageSql =
        $"""
        SELECT {EventColumns} FROM {EventJoins}
        WHERE e.room_nid = $1 AND e.stream_ordering > $2 ORDER BY e.stream_ordering LIMIT $3
        """;

    private const string SelectFlaggedEventsSql =
        $"""
        SELECT {EventColumns} FROM {EventJoins}
        WHERE e.room_nid = $1 AND e.status <> 0 ORDER BY e.stream_ordering DESC LIMIT $2
        """;

    private const string SelectDeepestEventsSql =
        $"""
        SELECT {EventColumns} FROM {EventJoins}
        WHERE e.room_nid = $1 ORDER BY e.depth DESC, e.stream_ordering DESC LIMIT $2
        """;

    private const string SelectRoomsSql = "SELECT room_id, room_version FROM rooms ORDER BY room_id";

    private const string SelectRoomListingsSql =
        """
        SELECT r.room_id, r.room_version, (SELECT count(*) FROM events e WHERE e.room_nid = r.room_nid)
        FROM rooms r ORDER BY r.room_id
        """;

    private const string SelectHolesBackingOffSql =
        $"""
        SELECT {HoleColumns}, r.room_id FROM missing_events m JOIN event_ids i USING (event_nid) JOIN rooms r ON r.room_nid = m.room_nid
        WHERE m.attempts > 0 AND (m.given_up_ts IS NOT NULL OR m.next_attempt_ts > $1)
        ORDER BY r.room_id, m.discovered_ts, i.event_id
        """;

    /// <summary>How many events of each kind the room holds, or null for a room this server does not hold.</summary>
    public async Task<RoomEventCounts?> GetRoomEventCountsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        await using var command = Sql.Command(connection, CountRoomEventsSql, room.Nid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new RoomEventCounts(
            reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    /// <summary>
    /// The room's events in the order this server persisted them, <paramref name="limit"/> at a time, starting after
    /// <paramref name="afterStreamOrdering"/> (0 for the first page; then the last event's
    /// <see cref="StoredEvent.StreamOrdering"/>). Paging keeps an export of a large room in bounded memory.
    /// </summary>
    public Task<IReadOnlyList<StoredEvent>> GetRoomEventsPageAsync(
        string roomId, long afterStreamOrdering, int limit, CancellationToken cancellationToken = default) =>
        ReadRoomEventsAsync(roomId, SelectRoomEventsPageSql, [afterStreamOrdering, limit], cancellationToken);

    /// <summary>The room's rejected and soft-failed events, most recently persisted first.</summary>
    public Task<IReadOnlyList<StoredEvent>> GetRejectedAndSoftFailedAsync(string roomId, int limit, CancellationToken cancellationToken = default) =>
        ReadRoomEventsAsync(roomId, SelectFlaggedEventsSql, [limit], cancellationToken);

    /// <summary>The room's <paramref name="limit"/> deepest events (outliers included), deepest first: the recent DAG.</summary>
    public Task<IReadOnlyList<StoredEvent>> GetDeepestEventsAsync(string roomId, int limit, CancellationToken cancellationToken = default) =>
        ReadRoomEventsAsync(roomId, SelectDeepestEventsSql, [limit], cancellationToken);

    /// <summary>Every room this server holds, by room id.</summary>
    public async Task<IReadOnlyList<StoredRoom>> GetRoomsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, SelectRoomsSql);
        var rooms = new List<StoredRoom>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rooms.Add(new StoredRoom(reader.GetString(0), reader.GetString(1)));
        }

        return rooms;
    }

    /// <summary>Every room this server holds, by room id, with how many events each holds: counts every event, so for
    /// operators' pages, not for passes that run often.</summary>
    public async Task<IReadOnlyList<RoomListing>> GetRoomListingsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, SelectRoomListingsSql);
        var rooms = new List<RoomListing>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rooms.Add(new RoomListing(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rooms;
    }

    /// <summary>Holes of every room that failed to be fetched and are now waiting out their back-off or were given up.</summary>
    public async Task<IReadOnlyList<RoomHole>> GetHolesInBackOffAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Sql.Command(connection, SelectHolesBackingOffSql, NowMs());
        var holes = new List<RoomHole>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var hole = new MissingEvent(
                reader.GetString(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetInt32(2),
                Instant(reader, 3),
                Instant(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<string[]>(6),
                Instant(reader, 7));
            holes.Add(new RoomHole(reader.GetString(8), hole));
        }

        return holes;
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadRoomEventsAsync(
        string roomId, string sql, object[] values, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        await using var command = Sql.Command(connection, sql, [room.Nid, .. values]);
        var events = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ReadEvent(reader));
        }

        return events;
    }
}
