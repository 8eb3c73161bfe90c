using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string DeleteNamedExtremitiesSql =
        """
        DELETE FROM forward_extremities f USING event_ids i
        WHERE f.room_nid = $1 AND i.event_nid = f.event_nid AND i.event_id = ANY ($2)
        """;

    /// <summary>
    /// Drops <paramref name="drop"/> from the room's forward extremities, provided they are still exactly
    /// <paramref name="expected"/> (checked under the room's write lock, so a concurrent write makes this a no-op). Only
    /// removes: an event that is no extremity never becomes one here. The receive pipeline prunes stale extremities
    /// left by holes this way (docs/federation.md).
    /// </summary>
    /// <returns>Whether they were dropped.</returns>
    /// <exception cref="ArgumentException"><paramref name="drop"/> is not a proper subset of <paramref name="expected"/>.</exception>
    public async Task<bool> PruneForwardExtremitiesAsync(
        string roomId, IReadOnlyCollection<string> expected, IReadOnlyCollection<string> drop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(drop);
        var expectedSet = expected.ToHashSet(StringComparer.Ordinal);
        var dropSet = drop.ToHashSet(StringComparer.Ordinal);
        if (!dropSet.IsProperSubsetOf(expectedSet) || dropSet.Count == 0)
        {
            throw new ArgumentException("The extremities to drop must be some, not all, of the expected ones", nameof(drop));
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return false;
        }

        var ticket = extremityMemory.StartWrite(room.Nid);
        IReadOnlyList<string>? after = null;
        try
        {
            after = await PruneAsync(connection, room, expected, expectedSet, dropSet, cancellationToken).ConfigureAwait(false);
            return after is not null;
        }
        finally
        {
            extremityMemory.FinishWrite(room.Nid, ticket, after);
        }
    }

    // The extremities left; null when they were not the expected ones.
    private static async Task<string[]?> PruneAsync(
        NpgsqlConnection connection,
        RoomRef room,
        IReadOnlyCollection<string> expected,
        HashSet<string> expectedSet,
        HashSet<string> dropSet,
        CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockRoom = Sql.Command(connection, WriteSql.LockRoom, RoomLockNamespace, RoomLockKey(room.Nid)))
        {
            await lockRoom.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var current = Sql.Command(connection, SelectExtremitiesSql, room.Nid))
        {
            if (!(await ReadStringsAsync(current, cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal).SetEquals(expectedSet))
            {
                return null;
            }
        }

        await using (var delete = Sql.Command(connection, DeleteNamedExtremitiesSql, room.Nid, dropSet.ToArray()))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return [.. expected.Where(id => !dropSet.Contains(id))];
    }
}
