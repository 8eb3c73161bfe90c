using Federation.Resync.Core.Fingerprints;
using Federation.Storage.Dag.Fingerprints;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

public sealed partial class DagStore
{
    private const string SelectExtremityGroupsSql =
        """
        SELECT i.event_id, e.state_after_group
        FROM forward_extremities f JOIN event_ids i USING (event_nid) JOIN events e USING (event_nid)
        WHERE f.room_nid = $1 ORDER BY e.depth DESC, e.stream_ordering DESC
        """;

    // From $2 back along the deepest prev held with state and not rejected (ties: the first persisted), at most $3
    // events; each step is one index probe on the edges.
    private const string SelectAncestorLineSql =
        """
        WITH RECURSIVE line AS (
            SELECT e.event_nid, 1 AS n FROM event_ids i JOIN events e USING (event_nid)
            WHERE i.room_nid = $1 AND i.event_id = $2 AND NOT e.outlier AND e.status <> 2
          UNION ALL
            SELECT p.event_nid, l.n + 1 FROM line l CROSS JOIN LATERAL (
                SELECT pe.event_nid FROM event_prev_edges x JOIN events pe ON pe.event_nid = x.prev_event_nid
                WHERE x.event_nid = l.event_nid AND NOT pe.outlier AND pe.status <> 2
                ORDER BY pe.depth DESC, pe.stream_ordering LIMIT 1) p
            WHERE l.n < $3
        )
        SELECT i.event_id FROM line JOIN event_ids i USING (event_nid) ORDER BY line.n DESC
        """;

    private const string SelectPrevsWithStateSql =
        """
        SELECT pi.event_id
        FROM event_ids i JOIN event_prev_edges x ON x.event_nid = i.event_nid
        JOIN events pe ON pe.event_nid = x.prev_event_nid JOIN event_ids pi ON pi.event_nid = pe.event_nid
        WHERE i.room_nid = $1 AND i.event_id = $2 AND NOT pe.outlier AND pe.status <> 2
        ORDER BY pe.depth DESC, pe.stream_ordering
        """;

    // Stored rows only: a group without one (written before migration 0027) is left out rather than computed.
    private const string SelectStoredFingerprintsSql =
        """
        SELECT i.event_id, b.digest, b.element_count, a.digest, a.element_count
        FROM event_ids i JOIN events e USING (event_nid)
        LEFT JOIN state_group_digests b ON b.state_group_nid = e.state_before_group
        LEFT JOIN state_group_digests a ON a.state_group_nid = e.state_after_group
        WHERE i.room_nid = $1 AND i.event_id = ANY ($2) AND NOT e.outlier
        """;

    /// <summary>
    /// Our MSC4500 fingerprint of the state before or after <paramref name="eventId"/>; null as for
    /// <see cref="GetStateIdsAsync"/> (unknown event, outlier, other room). A group written before fingerprints existed
    /// is fingerprinted from its whole state on first request and stored.
    /// </summary>
    public async Task<StoredStateFingerprint?> GetStateFingerprintAsync(
        string roomId, string eventId, StatePosition position, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var group = await StateGroupAtAsync(connection, roomId, eventId, position, cancellationToken).ConfigureAwait(false);
        return group is long groupNid ? await FingerprintOfGroupAsync(connection, groupNid, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// Our fingerprints of the states before and after each of <paramref name="eventIds"/> that is held with state, in
    /// one read, from stored rows only: cheap enough for every transaction. A side whose group has no stored row yet
    /// (written before fingerprints existed) is null; events not held with state are missing from the answer.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, EventStateFingerprints>> GetStoredStateFingerprintsAsync(
        string roomId, IReadOnlyCollection<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        var result = new Dictionary<string, EventStateFingerprints>(StringComparer.Ordinal);
        if (eventIds.Count == 0)
        {
            return result;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return result;
        }

        await using var command = Sql.Command(connection, SelectStoredFingerprintsSql, room.Nid, eventIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result[reader.GetString(0)] = new EventStateFingerprints(ReadFingerprint(reader, 1), ReadFingerprint(reader, 3));
        }

        return result;
    }

    /// <summary>Our fingerprints of the states after the room's forward extremities, deepest first (empty for an
    /// unknown room). Several extremities with different digests mean the current state is their resolution, which
    /// the caller computes.</summary>
    public async Task<IReadOnlyList<ExtremityFingerprint>> GetExtremityFingerprintsAsync(string roomId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        var extremities = new List<(string EventId, long Group)>();
        await using (var command = Sql.Command(connection, SelectExtremityGroupsSql, room.Nid))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                extremities.Add((reader.GetString(0), reader.GetInt64(1)));
            }
        }

        var result = new List<ExtremityFingerprint>(extremities.Count);
        foreach (var (eventId, group) in extremities)
        {
            result.Add(new ExtremityFingerprint(eventId, await FingerprintOfGroupAsync(connection, group, cancellationToken).ConfigureAwait(false)));
        }

        return result;
    }

    /// <summary>
    /// A line of ancestors ending at <paramref name="eventId"/>, oldest first: the event, then repeatedly its deepest
    /// prev event held with state and not rejected, at most <paramref name="maxLength"/> events (what a bisection
    /// searches). Empty when the event itself is not held with state.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetAncestorLineAsync(string roomId, string eventId, int maxLength, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        await using var command = Sql.Command(connection, SelectAncestorLineSql, room.Nid, eventId, maxLength);
        return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The prev events of <paramref name="eventId"/> held with state and not rejected, deepest first.</summary>
    public async Task<IReadOnlyList<string>> GetPrevEventsWithStateAsync(string roomId, string eventId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (await FindRoomAsync(connection, roomId, cancellationToken).ConfigureAwait(false) is not { } room)
        {
            return [];
        }

        await using var command = Sql.Command(connection, SelectPrevsWithStateSql, room.Nid, eventId);
        return await ReadStringsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static StateFingerprint? ReadFingerprint(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : new StateFingerprint(StateDigest.FromBytes(reader.GetFieldValue<byte[]>(column)), reader.GetInt64(column + 1));

    private async Task<StoredStateFingerprint> FingerprintOfGroupAsync(NpgsqlConnection connection, long groupNid, CancellationToken cancellationToken)
    {
        var computed = new List<(long Nid, CachedFingerprint Fingerprint)>();
        var workspace = new StateGroupWorkspace(stateGroups, connection, null);
        var fingerprint = await fingerprinter.OfCommittedAsync(connection, workspace, groupNid, computed, cancellationToken).ConfigureAwait(false);
        if (computed.Count > 0)
        {
            // Deterministic, so racing readers store equal rows; the first wins.
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(StateGroupFingerprinter.InsertCommand(computed));
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            fingerprinter.Publish(computed);
        }

        return new StoredStateFingerprint(fingerprint.Fingerprint, fingerprint.Lattice);
    }
}
