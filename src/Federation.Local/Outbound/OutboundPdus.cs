using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Federation.Local.Outbound;

/// <summary>
/// The persisted queue of events to send (migration 0021): one row per (destination, event), sent oldest first by the
/// destination's sender loop and deleted once delivered, so a restart resumes sending where it stopped. At most
/// <see cref="OutboundOptions.MaxQueuedPerDestination"/> rows per destination are kept: the oldest go first.
/// </summary>
public sealed partial class OutboundPdus(
    NpgsqlDataSource dataSource,
    RoomServers servers,
    ServerIdentity identity,
    OutboundWakeups wakeups,
    IOptions<OutboundOptions> options,
    TimeProvider time,
    ILogger<OutboundPdus> logger)
{
    private const string InsertSql =
        """
        INSERT INTO outbound_pdus (destination, room_id, event_id, enqueued_ts)
        SELECT d, $2, $3, $4 FROM unnest($1::text[]) AS d
        ON CONFLICT (destination, event_id) DO NOTHING
        """;

    /// <summary>Deletes, per destination, the rows older than its newest <c>$2</c> (through the (destination, queue_nid) index).</summary>
    private const string TrimSql =
        """
        DELETE FROM outbound_pdus o
        USING (
            SELECT d, (SELECT queue_nid FROM outbound_pdus WHERE destination = d ORDER BY queue_nid DESC OFFSET $2 LIMIT 1) AS last_dropped
            FROM unnest($1::text[]) AS d
        ) t
        WHERE o.destination = t.d AND o.queue_nid <= t.last_dropped
        RETURNING o.destination, o.event_id
        """;

    private const string PeekSql =
        "SELECT queue_nid, room_id, event_id FROM outbound_pdus WHERE destination = $1 ORDER BY queue_nid LIMIT $2";

    private const string DeleteSql = "DELETE FROM outbound_pdus WHERE destination = $1 AND queue_nid = ANY ($2)";

    private const string DestinationsSql = "SELECT DISTINCT destination FROM outbound_pdus";

    private const string PendingSql = "SELECT EXISTS (SELECT 1 FROM outbound_pdus WHERE destination = $1 AND event_id = $2)";

    /// <summary>
    /// The rows that queue a locally created event for every other server with a joined member in the room before or
    /// after it (so that a server whose last user is kicked or leaves still hears of it). Their insert is meant to run
    /// in the transaction that stores the event, so that a crash cannot leave it stored and never sent;
    /// <see cref="QueuedAsync"/> follows the commit.
    /// </summary>
    public async Task<OutboundRows> PrepareAsync(Pdu pdu, RoomState stateBefore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var before = await servers.JoinedServersAsync(stateBefore, pending: null, cancellationToken).ConfigureAwait(false);
        var after = await servers.JoinedServersAsync(stateBefore, pdu, cancellationToken).ConfigureAwait(false);
        return Prepare(pdu, before.Union(after));
    }

    /// <summary>After the rows of <see cref="PrepareAsync"/> are committed: trims the destinations' queues to the cap
    /// and wakes their senders.</summary>
    public async Task QueuedAsync(OutboundRows rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Destinations.Count == 0)
        {
            return;
        }

        await TrimAsync([.. rows.Destinations], cancellationToken).ConfigureAwait(false);
        foreach (var destination in rows.Destinations)
        {
            wakeups.Wake(destination);
        }
    }

    /// <summary>Queues an event for the given servers (our own name is skipped).</summary>
    public async Task EnqueueAsync(Pdu pdu, IEnumerable<string> destinations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        var rows = Prepare(pdu, destinations);
        if (rows.Insert is null)
        {
            return;
        }

        await using (var batch = dataSource.CreateBatch())
        {
            batch.BatchCommands.Add(rows.Insert);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await QueuedAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    private OutboundRows Prepare(Pdu pdu, IEnumerable<string> destinations)
    {
        string[] targets = [.. destinations.Where(d => !string.Equals(d, identity.ServerName, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)];
        if (targets.Length == 0)
        {
            return new OutboundRows([], null);
        }

        var insert = new NpgsqlBatchCommand(InsertSql);
        insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = targets });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pdu.RoomId });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = pdu.EventId });
        insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = time.GetUtcNow().ToUnixTimeMilliseconds() });
        return new OutboundRows(targets, insert);
    }

    /// <summary>Drops the oldest rows of destinations past the cap, logging how many, and releases their waiters.</summary>
    private async Task TrimAsync(string[] destinations, CancellationToken cancellationToken)
    {
        var dropped = new List<(string Destination, string EventId)>();
        await using (var command = dataSource.CreateCommand(TrimSql))
        {
            command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = destinations });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = options.Value.MaxQueuedPerDestination });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                dropped.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        foreach (var group in dropped.GroupBy(d => d.Destination, StringComparer.Ordinal))
        {
            LogDropped(logger, group.Key, group.Count(), options.Value.MaxQueuedPerDestination);
            wakeups.Delivered(group.Key, group.Select(d => d.EventId));
        }
    }

    /// <summary>The oldest queued events of a destination.</summary>
    public async Task<IReadOnlyList<QueuedPdu>> PeekAsync(string destination, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(PeekSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destination });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        var rows = new List<QueuedPdu>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(new QueuedPdu(reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    /// <summary>Removes delivered (or undeliverable) rows and tells waiters.</summary>
    public async Task RemoveAsync(string destination, IReadOnlyCollection<QueuedPdu> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        await using (var command = dataSource.CreateCommand(DeleteSql))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destination });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. rows.Select(r => r.QueueNid)] });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        wakeups.Delivered(destination, rows.Select(r => r.EventId));
    }

    /// <summary>Every destination that has queued events (read at start, to resume).</summary>
    public async Task<IReadOnlyList<string>> DestinationsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(DestinationsSql);
        var result = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    /// <summary>Completes once <paramref name="eventId"/> is no longer queued for <paramref name="destination"/> (delivered, dropped, or never queued).</summary>
    public async Task WaitUntilSentAsync(string destination, string eventId, CancellationToken cancellationToken)
    {
        var waiter = wakeups.Waiter(destination, eventId);
        await using (var command = dataSource.CreateCommand(PendingSql))
        {
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = destination });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = eventId });
            if (!(bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!)
            {
                wakeups.Delivered(destination, [eventId]);
            }
        }

        await waiter.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(
        EventId = 5005,
        Level = LogLevel.Warning,
        Message = "The outbound queue of {Destination} is full ({Max} events): its {Count} oldest events are dropped")]
    private static partial void LogDropped(ILogger logger, string destination, int count, int max);
}
