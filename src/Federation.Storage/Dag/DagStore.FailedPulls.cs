using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string SelectFailedPullsSql =
        """
        SELECT event_id, attempts, last_attempt_ts, next_attempt_ts, last_error
        FROM failed_pulls WHERE room_nid = $1 AND event_id = ANY ($2)
        """;

    // Back-off doubles per failure: initial × 2^(failures before this one), capped. Never given up: at the cap the event
    // is asked for once per cap, as Synapse keeps retrying pulls.
    private const string RecordFailedPullsSql =
        """
        INSERT INTO failed_pulls AS f (room_nid, event_id, attempts, last_attempt_ts, next_attempt_ts, last_error)
        SELECT $1, id, 1, $3, $3 + least($5::bigint, $4::bigint), $6 FROM unnest($2::text[]) AS id
        ON CONFLICT (room_nid, event_id) DO UPDATE
        SET attempts = f.attempts + 1,
            last_attempt_ts = $3,
            next_attempt_ts = $3 + least($5::bigint, ($4::bigint * power(2, least(f.attempts, 40)))::bigint),
            last_error = $6
        RETURNING event_id, attempts, last_attempt_ts, next_attempt_ts, last_error
        """;

    private const string DeleteFailedPullsSql = "DELETE FROM failed_pulls WHERE room_nid = $1 AND event_id = ANY ($2)";

    /// <summary>The failed pulls recorded for any of <paramref name="eventIds"/> in the room (unknown ids and rooms give
    /// nothing).</summary>
    public async Task<IReadOnlyDictionary<string, FailedPull>> GetFailedPullsAsync(
        string roomId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return new Dictionary<string, FailedPull>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return new Dictionary<string, FailedPull>();
        }

        await using var command = Sql.Command(connection, SelectFailedPullsSql, room.Nid, eventIds.Distinct(StringComparer.Ordinal).ToArray());
        return await ReadFailedPullsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that pulling each of <paramref name="eventIds"/> failed now: counts the attempt and backs off, doubling
    /// from <see cref="DagStoreOptions.MissingEventInitialBackoff"/> up to <see cref="DagStoreOptions.MissingEventMaxBackoff"/>.
    /// </summary>
    /// <returns>The records as they now stand (nothing when the room is unknown).</returns>
    public async Task<IReadOnlyDictionary<string, FailedPull>> RecordFailedPullsAsync(
        string roomId, IReadOnlyCollection<string> eventIds, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        ArgumentException.ThrowIfNullOrEmpty(error);
        if (eventIds.Count == 0)
        {
            return new Dictionary<string, FailedPull>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return new Dictionary<string, FailedPull>();
        }

        await using var command = Sql.Command(
            connection,
            RecordFailedPullsSql,
            room.Nid,
            eventIds.Distinct(StringComparer.Ordinal).ToArray(),
            NowMs(),
            (long)options.MissingEventInitialBackoff.TotalMilliseconds,
            (long)options.MissingEventMaxBackoff.TotalMilliseconds,
            error);
        return await ReadFailedPullsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the failed pulls of <paramref name="eventIds"/> (pulled since).</summary>
    public async Task ClearFailedPullsAsync(string roomId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is { } room)
        {
            await using var command = Sql.Command(connection, DeleteFailedPullsSql, room.Nid, eventIds.Distinct(StringComparer.Ordinal).ToArray());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<Dictionary<string, FailedPull>> ReadFailedPullsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var pulls = new Dictionary<string, FailedPull>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var eventId = reader.GetString(0);
            pulls[eventId] = new FailedPull(
                eventId,
                reader.GetInt32(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.GetString(4));
        }

        return pulls;
    }
}
