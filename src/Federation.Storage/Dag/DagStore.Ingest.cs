namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string SelectKnownEventsSql =
        """
        SELECT i.event_id, e.event_nid, e.outlier, e.status, e.state_before_group, e.state_after_group
        FROM event_ids i LEFT JOIN events e USING (event_nid) WHERE i.room_nid = $1 AND i.event_id = ANY ($2)
        """;

    /// <summary>
    /// The ids among <paramref name="eventIds"/> the room knows — held, or referred to by a held event — with whether
    /// they are held and how, in one statement and without reading any event's JSON (for the receive pipeline's
    /// batching decisions). Unknown ids are left out; an unknown room gives an empty answer. Events held with state that
    /// this process has written or read are answered from memory.
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

        var asked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var eventId in eventIds)
        {
            if (settledRefs.TryGet(room.Nid, eventId, out var settled))
            {
                known[eventId] = new KnownEvent(eventId, IsHeld: true, IsOutlier: false, settled.Status);
            }
            else
            {
                asked.Add(eventId);
            }
        }

        if (asked.Count == 0)
        {
            return known;
        }

        await using var command = Sql.Command(connection, SelectKnownEventsSql, room.Nid, asked.ToArray());
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var eventId = reader.GetString(0);
            if (reader.IsDBNull(1))
            {
                known[eventId] = new KnownEvent(eventId, IsHeld: false, IsOutlier: false, EventStatus.Accepted);
                continue;
            }

            var outlier = reader.GetBoolean(2);
            var status = (EventStatus)reader.GetInt16(3);
            known[eventId] = new KnownEvent(eventId, IsHeld: true, outlier, status);
            if (!outlier)
            {
                settledRefs.Remember(room.Nid, eventId, new SettledEventRef(
                    reader.GetInt64(1), status, reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5)));
            }
        }

        return known;
    }
}
