using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string HoleColumns =
        "i.event_id, m.discovered_ts, m.attempts, m.last_attempt_ts, m.next_attempt_ts, m.last_error, m.asked_servers, m.given_up_ts";

    private const string SelectHolesSql =
        $"""
        SELECT {HoleColumns} FROM missing_events m JOIN event_ids i USING (event_nid)
        WHERE m.room_nid = $1 AND ($2 OR (m.given_up_ts IS NULL AND (m.next_attempt_ts IS NULL OR m.next_attempt_ts <= $3)))
        ORDER BY m.discovered_ts, i.event_id
        """;

    // Back-off doubles per failure: initial × 2^(failures so far), capped; given up at the attempt limit.
    private const string RecordFailureSql =
        $"""
        UPDATE missing_events m
        SET attempts = m.attempts + 1,
            last_attempt_ts = $3,
            last_error = $5,
            asked_servers = CASE WHEN $4 = ANY (m.asked_servers) THEN m.asked_servers ELSE m.asked_servers || $4 END,
            next_attempt_ts = coalesce($9::bigint, $3 + least($7::bigint, ($6::bigint * power(2, least(m.attempts, 40)))::bigint)),
            given_up_ts = CASE WHEN m.attempts + 1 >= $8 THEN coalesce(m.given_up_ts, $3) ELSE m.given_up_ts END
        FROM event_ids i
        WHERE i.event_nid = m.event_nid AND i.room_nid = $1 AND i.event_id = $2
        RETURNING {HoleColumns}
        """;

    // Taken only when due, in one statement, so of several processes on one database exactly one gets the hole.
    private const string ClaimSql =
        $"""
        UPDATE missing_events m SET next_attempt_ts = $4
        FROM event_ids i
        WHERE i.event_nid = m.event_nid AND i.room_nid = $1 AND i.event_id = $2
          AND m.given_up_ts IS NULL AND (m.next_attempt_ts IS NULL OR m.next_attempt_ts <= $3)
        RETURNING {HoleColumns}
        """;

    private const string GiveUpSql =
        $"""
        UPDATE missing_events m SET given_up_ts = coalesce(m.given_up_ts, $3), last_error = coalesce($4, m.last_error)
        FROM event_ids i
        WHERE i.event_nid = m.event_nid AND i.room_nid = $1 AND i.event_id = $2
        RETURNING {HoleColumns}
        """;

    // The held timeline events that reference the hole, the first persisted first.
    private const string SelectReferrersSql =
        """
        SELECT c.event_id FROM event_ids h
        JOIN missing_events m ON m.event_nid = h.event_nid
        JOIN event_prev_edges p ON p.prev_event_nid = h.event_nid
        JOIN events e ON e.event_nid = p.event_nid AND NOT e.outlier
        JOIN event_ids c ON c.event_nid = p.event_nid
        WHERE h.room_nid = $1 AND h.event_id = $2
        ORDER BY e.stream_ordering
        """;

    /// <summary>The room's holes, oldest first: all of them, or with <paramref name="dueOnly"/> only those not given
    /// up whose back-off has passed.</summary>
    public async Task<IReadOnlyList<MissingEvent>> GetHolesAsync(string roomId, bool dueOnly = false, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        await using var command = Sql.Command(connection, SelectHolesSql, room.Nid, !dueOnly, NowMs());
        return await ReadHolesAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The held timeline events whose prev events include the hole <paramref name="eventId"/>, the first
    /// persisted first; nothing when it is not a hole of the room.</summary>
    public async Task<IReadOnlyList<string>> GetHoleReferrersAsync(string roomId, string eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        await using var command = Sql.Command(connection, SelectReferrersSql, room.Nid, eventId);
        return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that <paramref name="server"/> could not supply the missing <paramref name="eventId"/>: counts
    /// the attempt, backs off until <paramref name="nextAttemptAt"/> (default: doubling from
    /// <see cref="DagStoreOptions.MissingEventInitialBackoff"/>), and gives up at
    /// <see cref="DagStoreOptions.MissingEventMaxAttempts"/>. Null when the event is not a hole of the room.</summary>
    public async Task<MissingEvent?> RecordHoleFetchFailureAsync(
        string roomId, string eventId, string server, string error, DateTimeOffset? nextAttemptAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(server);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        await using var command = Sql.Command(
            connection,
            RecordFailureSql,
            room.Nid,
            eventId,
            NowMs(),
            server,
            error,
            (long)options.MissingEventInitialBackoff.TotalMilliseconds,
            (long)options.MissingEventMaxBackoff.TotalMilliseconds,
            options.MissingEventMaxAttempts,
            nextAttemptAt?.ToUnixTimeMilliseconds());
        return (await ReadHolesAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>
    /// Takes the due hole <paramref name="eventId"/> for one attempt: it is not due again before <paramref name="until"/>,
    /// so other processes sharing the database leave it alone meanwhile, and if this one dies the hole becomes due again
    /// then. The attempt ends with the hole filled (the row goes) or with <see cref="RecordHoleFetchFailureAsync"/>
    /// (its back-off replaces the claim). Null when the hole is not due, given up, filled, or not a hole of the room.
    /// </summary>
    public async Task<MissingEvent?> ClaimHoleAsync(string roomId, string eventId, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        await using var command = Sql.Command(connection, ClaimSql, room.Nid, eventId, NowMs(), until.ToUnixTimeMilliseconds());
        return (await ReadHolesAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    /// <summary>Marks a hole as abandoned (it stays recorded). Null when the event is not a hole of the room.</summary>
    public async Task<MissingEvent?> GiveUpHoleAsync(string roomId, string eventId, string? reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        await using var command = Sql.Command(connection, GiveUpSql, room.Nid, eventId, NowMs(), reason);
        return (await ReadHolesAsync(command, cancellationToken).ConfigureAwait(false)).SingleOrDefault();
    }

    private long NowMs() => timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private static async Task<List<MissingEvent>> ReadHolesAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var holes = new List<MissingEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            holes.Add(new MissingEvent(
                reader.GetString(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetInt32(2),
                Instant(reader, 3),
                Instant(reader, 4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<string[]>(6),
                Instant(reader, 7)));
        }

        return holes;
    }

    private static DateTimeOffset? Instant(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(column));
}
