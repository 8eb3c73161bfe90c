using System.Collections.Concurrent;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag.Auth;
using Federation.Storage.Dag.Fingerprints;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

/// <summary>
/// The room DAG in Postgres: events with their status, prev and auth edges, state snapshots before and after each
/// event, forward extremities and holes (see docs/storage.md). Writes to one room are serialised through a Postgres
/// advisory lock, so several processes may share the database; writes to different rooms run in parallel. Thread-safe.
/// </summary>
public sealed partial class DagStore
{
    /// <summary>First key of the two-key advisory locks that serialise writes per room ("DAG!"). The single-bigint key
    /// space used by the migration runner does not overlap the two-key space.</summary>
    internal const int RoomLockNamespace = 0x44414721;

    private const string EnsureRoomSql = "INSERT INTO rooms (room_id, room_version) VALUES ($1, $2) ON CONFLICT (room_id) DO NOTHING";
    private const string SelectRoomSql = "SELECT room_nid, room_version FROM rooms WHERE room_id = $1";

    private readonly NpgsqlDataSource dataSource;
    private readonly TimeProvider timeProvider;
    private readonly DagStoreOptions options;
    private readonly StateSlotInterner interner;
    private readonly StateGroupCache stateGroups;
    private readonly EventIdCache eventIds;
    private readonly SettledEventRefs settledRefs;
    private readonly ExtremityMemory extremityMemory = new();
    private readonly AuthGraphCache authGraphs;
    private readonly StateGroupFingerprinter fingerprinter;
    private readonly PlannerStatistics plannerStatistics;
    private readonly ConcurrentDictionary<string, RoomRef> rooms = new(StringComparer.Ordinal);

    /// <summary>Creates a store over a migrated database.</summary>
    /// <param name="dataSource">Connections to the database.</param>
    /// <param name="timeProvider">Clock for hole bookkeeping; defaults to the system clock.</param>
    /// <param name="options">Cache sizes and hole back-off; defaults when null.</param>
    public DagStore(NpgsqlDataSource dataSource, TimeProvider? timeProvider = null, DagStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        this.dataSource = dataSource;
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.options = options ?? new DagStoreOptions();
        interner = new StateSlotInterner(dataSource);
        stateGroups = new StateGroupCache(this.options.StateGroupCacheEntries);
        eventIds = new EventIdCache(this.options.EventIdCacheEntries);
        settledRefs = new SettledEventRefs(this.options.SettledEventCacheEntries / 2);
        authGraphs = new AuthGraphCache();
        fingerprinter = new StateGroupFingerprinter(new StateDigestCache(this.options.StateDigestCacheEntries), interner, eventIds);
        plannerStatistics = new PlannerStatistics(dataSource, this.options.PlannerStatisticsMinimumEvents);
    }

    /// <summary>Raised by this store, after the commit, when a write has made outliers timeline events. Writes by other
    /// stores (other processes) on the same database are not seen.</summary>
    public event EventHandler<EventsDeOutlieredEventArgs>? EventsDeOutliered;

    /// <summary>Test hook: the background ANALYZE started last (see <see cref="PlannerStatistics"/>).</summary>
    internal Task PlannerStatisticsRefresh => plannerStatistics.LastRefresh;

    /// <summary>Test hook: runs after the write statements are queued and before they are sent, to inject a failure.</summary>
    internal Action<NpgsqlBatch>? BeforeWriteForTests { get; set; }

    /// <summary>The advisory-lock keys of a room (two int4 keys: <see cref="RoomLockNamespace"/> and the folded nid).</summary>
    internal static int RoomLockKey(long roomNid) => unchecked((int)roomNid ^ (int)(roomNid >> 32));

    private async Task<RoomRef> GetOrCreateRoomAsync(string roomId, RoomVersion version, CancellationToken cancellationToken)
    {
        if (rooms.TryGetValue(roomId, out var known))
        {
            return CheckVersion(known, version);
        }

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Sql.Command(EnsureRoomSql, roomId, version.Id));
        batch.BatchCommands.Add(Sql.Command(SelectRoomSql, roomId));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var room = new RoomRef(reader.GetInt64(0), roomId, RoomVersion.Get(reader.GetString(1)));
        rooms[roomId] = room;
        return CheckVersion(room, version);
    }

    private async Task<RoomRef?> FindRoomAsync(NpgsqlConnection connection, string roomId, CancellationToken cancellationToken)
    {
        if (rooms.TryGetValue(roomId, out var known))
        {
            return known;
        }

        await using var command = Sql.Command(connection, SelectRoomSql, roomId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var room = new RoomRef(reader.GetInt64(0), roomId, RoomVersion.Get(reader.GetString(1)));
        rooms[roomId] = room;
        return room;
    }

    internal long SlotNid(StateSlot slot) => interner.SlotNid(slot);

    private static RoomRef CheckVersion(RoomRef room, RoomVersion version) =>
        room.Version == version
            ? room
            : throw new InvalidOperationException(
                $"Room {room.RoomId} is stored with room version {room.Version.Id}, not {version.Id}.");
}
