namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string SelectKnownEventsSql =
        """
        SELECT i.event_id, e.event_nid IS NOT NULL, coalesce(e.outlier, false), coalesce(e.status, 0::smallint)
        FROM event_ids i LEFT JOIN events e USING (event_nid) WHERE i.room_nid = $1 AND i.event_id = ANY ($2)
        """;

    /// <summary>
    /// The ids among <paramref name="eventIds"/> the room knows — held, or referred to by a held event — with whether
    /// they are held and how, in one statement and without reading any event's JSON (for the receive pipeline's
    /// batching decisions). Unknown ids are left out; an unknown room gives an empty answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, KnownEvent>> GetKnownEventsAsync(
        string roomId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var known = new Dictionary<string, KnownEvent>(StringComparer.Ordinal);
        if (eventIds.Count == 0)
        {
            return known;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return known;
        }

        await using var command = Sql.Command(connection, SelectKnownEventsSql, room.Nid, eventIds.Distinct(StringComparer.Ordinal).ToArray());
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var eventId = reader.GetString(0);
            known[eventId] = new KnownEvent(eventId, reader.GetBoolean(1), reader.GetBoolean(2), (EventStatus)reader.GetInt16(3));
        }

        return known;
    }
}
