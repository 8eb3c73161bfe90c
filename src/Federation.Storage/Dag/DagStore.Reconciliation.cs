using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    // Every held event of the room (any status, outliers too), optionally within an origin_server_ts window; holes have
    // no events row and are left out. One streaming read; the ids become records in memory.
    private const string SelectReconciliationItemsSql =
        """
        SELECT i.event_id, e.origin_server_ts
        FROM events e JOIN event_ids i USING (event_nid)
        WHERE e.room_nid = $1 AND e.origin_server_ts >= $2 AND e.origin_server_ts <= $3
        """;

    /// <summary>
    /// The reconciliation records of the events held for <paramref name="roomId"/> in <paramref name="scope"/>, sorted
    /// (see <see cref="RoomEventItems"/>), with the room's version; null for a room this server does not hold.
    /// </summary>
    public async Task<(RoomVersion Version, SortedItems Items)?> GetReconciliationItemsAsync(
        string roomId, ReconcileScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return null;
        }

        var format = room.Version.EventIdFormat;
        var items = new List<ReconciliationItem>();
        await using var command = Sql.Command(
            connection, SelectReconciliationItemsSql, room.Nid, scope.FromTs ?? long.MinValue, LastIncluded(scope.UntilTs));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(RoomEventItems.For(reader.GetString(0), reader.GetInt64(1), format));
        }

        return (room.Version, SortedItems.From(items));
    }

    /// <summary>The last timestamp before an exclusive end (all of them without one).</summary>
    private static long LastIncluded(long? untilTs) => untilTs is { } until ? Math.Max(until, long.MinValue + 1) - 1 : long.MaxValue;
}
