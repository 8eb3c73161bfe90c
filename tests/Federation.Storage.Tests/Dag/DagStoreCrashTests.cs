using Federation.Storage.Dag;
using Federation.Storage.Tests.Dag.Crash;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

/// <summary>
/// A writer process killed with SIGKILL while it writes leaves the room as its last commit left it: no event, id,
/// edge, state group, hole or extremity of the interrupted batch is visible, and the room can be read and written.
/// </summary>
public sealed class DagStoreCrashTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_writer_killed_inside_its_transaction_leaves_the_last_committed_batch_and_its_room_usable()
    {
        var room = await NewStartedRoomAsync();
        using (var child = WriterChild.Start(Database.ConnectionString, room.RoomId, stallAtBatch: 3))
        {
            // Batch 3 has taken the room lock and numbered its ids in an open transaction when the child is killed.
            await child.WaitForAsync("writing 3");
            Assert.Equal(2, child.Committed);
            // pg_locks lists the whole cluster, where other test classes' databases have rooms of the same nids.
            Assert.Equal(1L, await ScalarAsync<long>(
                """
                SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = $1::oid AND objid = $2::oid
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """,
                (long)(uint)DagStore.RoomLockNamespace,
                (long)(uint)DagStore.RoomLockKey(await ScalarAsync<long>("SELECT room_nid FROM rooms WHERE room_id = $1", room.RoomId))));
            await child.KillAsync();
        }

        await AssertConsistentAsync(room.RoomId, batches: 2);
        await AssertWritableAsync(room, batches: 2);
    }

    [Fact]
    public async Task A_writer_killed_at_an_arbitrary_moment_leaves_whole_batches_only()
    {
        var room = await NewStartedRoomAsync();
        int reported;
        using (var child = WriterChild.Start(Database.ConnectionString, room.RoomId, stallAtBatch: 0))
        {
            // Killed as soon as batch 4 is reported: batch 5 is somewhere between its first statement and its commit.
            await child.WaitForAsync("committed 4");
            await child.KillAsync();
            reported = child.Committed;
        }

        var held = (int)(await ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)", room.RoomId) - 2);
        Assert.Equal(0, held % WriterProcess.BatchSize);
        var batches = held / WriterProcess.BatchSize;
        Assert.InRange(batches, reported, reported + 1);
        await AssertConsistentAsync(room.RoomId, batches);
        await AssertWritableAsync(room, batches);
    }

    // What a restarted process sees, through a new store and the tables themselves.
    private async Task AssertConsistentAsync(string roomId, int batches)
    {
        var events = (batches * WriterProcess.BatchSize) + 2;
        var last = $"$w{batches * WriterProcess.BatchSize}";
        var (_, restarted) = NewStore();
        Assert.Equal([last], await restarted.GetForwardExtremitiesAsync(roomId));
        Assert.Empty(await restarted.GetHolesAsync(roomId));
        Assert.Equal(["$c", "$j"], (await restarted.GetStateIdsAsync(roomId, last, StatePosition.After))!.Order(StringComparer.Ordinal));
        Assert.Equal(
            $"{events},{events},{events},{events - 1},{events - 1}",
            await ScalarAsync<string>(
                """
                WITH r AS (SELECT room_nid FROM rooms WHERE room_id = $1),
                e AS (SELECT * FROM events WHERE room_nid = (SELECT room_nid FROM r))
                SELECT concat_ws(',',
                    (SELECT count(*) FROM event_ids WHERE room_nid = (SELECT room_nid FROM r)),
                    (SELECT count(*) FROM e),
                    (SELECT count(*) FROM event_json j JOIN e USING (event_nid)),
                    (SELECT count(*) FROM event_prev_edges p JOIN e USING (event_nid)),
                    (SELECT count(*) FROM e WHERE cardinality(auth_event_nids) > 0))
                """,
                roomId));
        Assert.Equal(0L, await ScalarAsync<long>(
            """
            SELECT count(*) FROM events e
            WHERE e.room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)
              AND (NOT EXISTS (SELECT 1 FROM state_groups g WHERE g.state_group_nid = e.state_before_group)
                OR NOT EXISTS (SELECT 1 FROM state_groups g WHERE g.state_group_nid = e.state_after_group))
            """,
            roomId));
        Assert.Equal(0L, await ScalarAsync<long>(
            """
            SELECT count(*) FROM event_prev_edges p JOIN events e USING (event_nid)
            WHERE e.room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)
              AND NOT EXISTS (SELECT 1 FROM events t WHERE t.event_nid = p.prev_event_nid)
            """,
            roomId));
    }

    // The room lock died with the writer: the next batch goes through and the walks see it.
    private async Task AssertWritableAsync(Testing.Dag.TestRoomDag room, int batches)
    {
        room.Create("$c", Alice);
        room.Member("$j", Alice, "join", ["$c"], ["$c"]);
        var last = $"$w{batches * WriterProcess.BatchSize}";
        room.Message(last, Alice, ["$j"], ["$c", "$j"]);
        room.Message("$after", Alice, [last], ["$c", "$j"]);
        await PersistAsync(After(room["$after"], last));

        Assert.Equal(["$after"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Equal([last], (await Store.GetMissingEventsAsync(room.RoomId, [], ["$after"], 1)).Select(e => e.EventId));
    }
}
