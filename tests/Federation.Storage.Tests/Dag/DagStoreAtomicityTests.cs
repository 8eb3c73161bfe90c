using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreAtomicityTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task A_batch_that_fails_half_way_leaves_nothing_behind()
    {
        var room = await NewStartedRoomAsync();
        room.State("$t", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$t", "$gone"], ["$c", "$j"]);
        var counts = await CountRowsAsync(room.RoomId);
        // The database fails after every write statement of the batch has run.
        Store.BeforeWriteForTests = batch => batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1 / 0"));

        await Assert.ThrowsAsync<PostgresException>(() => PersistAsync(After(room["$t"], "$j"), After(room["$m"], "$t")));

        Store.BeforeWriteForTests = null;
        Assert.Equal(counts, await CountRowsAsync(room.RoomId));
        Assert.Empty(await Store.GetEventsAsync(room.RoomId, ["$t", "$m"]));
        Assert.Equal(["$j"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Empty(await Store.GetHolesAsync(room.RoomId));

        // The same batch goes through afterwards, so nothing half-written (nor a stale cache) is in the way.
        await PersistAsync(After(room["$t"], "$j"), After(room["$m"], "$t"));
        Assert.Equal(["$m"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Equal("$t", (await Store.GetStateAsync(room.RoomId, "$m", StatePosition.Before))![new StateSlot(EventTypes.Topic, "")]);
    }

    [Fact]
    public async Task A_batch_refused_for_its_second_event_does_not_store_the_first()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$ok", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$bad", Alice, ["$ok"], ["$c", "$j"]);
        var counts = await CountRowsAsync(room.RoomId);

        await Assert.ThrowsAsync<InvalidOperationException>(() => PersistAsync(After(room["$ok"], "$j"), After(room["$bad"], "$unknown")));

        Assert.Equal(counts, await CountRowsAsync(room.RoomId));
        Assert.Empty(await Store.GetEventsAsync(room.RoomId, ["$ok"]));
    }

    [Fact]
    public async Task Two_stores_writing_one_room_at_once_leave_it_consistent()
    {
        // Two processes each append a branch of 60 joins from $j in batches of 3, concurrently.
        var room = await NewStartedRoomAsync();
        var (_, second) = NewStore();
        var branches = new[] { ("$a", Store), ("$b", second) };
        var batches = branches.Select(branch =>
        {
            var (prefix, _) = branch;
            var list = new List<List<EventToPersist>>();
            var previous = "$j";
            for (var i = 0; i < 60; i += 3)
            {
                var batch = new List<EventToPersist>();
                for (var k = i; k < i + 3; k++)
                {
                    var id = $"{prefix}{k}";
                    batch.Add(After(room.Member(id, $"@{prefix[1..]}{k}:test", "join", [previous], ["$c"]), previous));
                    previous = id;
                }

                list.Add(batch);
            }

            return list;
        }).ToArray();

        await Task.WhenAll(branches.Select(async (branch, index) =>
        {
            foreach (var batch in batches[index])
            {
                await branch.Item2.PersistEventsAsync(batch);
            }
        }));

        Assert.Equal(["$a59", "$b59"], (await Store.GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));
        Assert.Equal(122L, await ScalarAsync<long>("SELECT count(*) FROM events WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)", room.RoomId));
        var stateA = await Store.GetStateAsync(room.RoomId, "$a59", StatePosition.After);
        var stateB = await second.GetStateAsync(room.RoomId, "$b59", StatePosition.After);
        Assert.Equal(62, stateA!.Count);
        Assert.Equal(62, stateB!.Count);
        Assert.DoesNotContain(stateA.Values, id => id.StartsWith("$b", StringComparison.Ordinal));
        Assert.Equal(["$a1", "$a2"], (await Store.GetMissingEventsAsync(room.RoomId, ["$a0"], ["$a3"], 10)).Select(e => e.EventId));
    }

    [Fact]
    public async Task Two_stores_persisting_the_same_batches_at_once_store_each_event_once()
    {
        // Both processes receive the same 20 batches of 5 joins (as from two transactions relaying the same PDUs).
        var room = await NewStartedRoomAsync();
        var (_, second) = NewStore();
        var batches = new List<List<EventToPersist>>();
        var previous = "$j";
        for (var i = 0; i < 100; i++)
        {
            if (i % 5 == 0)
            {
                batches.Add([]);
            }

            var id = $"$s{i}";
            batches[^1].Add(After(room.Member(id, $"@s{i}:test", "join", [previous], ["$c"]), previous));
            previous = id;
        }

        var written = await Task.WhenAll(new[] { Store, second }.Select(async store =>
        {
            var mine = new List<string>();
            foreach (var batch in batches)
            {
                var result = await store.PersistEventsAsync(batch);
                Assert.Equal(batch.Count, result.Persisted.Count + result.AlreadyKnown.Count);
                mine.AddRange(result.Persisted);
            }

            return mine;
        }));

        Assert.Empty(written[0].Intersect(written[1]));
        Assert.Equal(100, written[0].Count + written[1].Count);
        Assert.Equal(["$s99"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Equal(["$s99"], await second.GetForwardExtremitiesAsync(room.RoomId));
        Assert.Equal(102, (await second.GetStateIdsAsync(room.RoomId, "$s99", StatePosition.After))!.Count);
        Assert.Equal(102, (await Store.GetStateIdsAsync(room.RoomId, "$s99", StatePosition.After))!.Count);
        Assert.Empty(await Store.GetHolesAsync(room.RoomId));
        Assert.Equal(102L, await ScalarAsync<long>("SELECT count(*) FROM events WHERE room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)", room.RoomId));
    }

    [Fact]
    public async Task A_write_waits_while_its_room_is_locked_and_other_rooms_go_ahead()
    {
        var locked = await NewStartedRoomAsync();
        var free = await NewStartedRoomAsync();
        locked.Message("$waits", Alice, ["$j"], ["$c", "$j"]);
        free.Message("$goes", Alice, ["$j"], ["$c", "$j"]);
        var roomNid = await ScalarAsync<long>("SELECT room_nid FROM rooms WHERE room_id = $1", locked.RoomId);

        await using var holder = await DataSource.OpenConnectionAsync();
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, $2)", holder, transaction))
        {
            take.Parameters.Add(new NpgsqlParameter { Value = DagStore.RoomLockNamespace });
            take.Parameters.Add(new NpgsqlParameter { Value = DagStore.RoomLockKey(roomNid) });
            await take.ExecuteNonQueryAsync();
        }

        var waiting = PersistAsync(After(locked["$waits"], "$j"));
        await WaitUntilAsync(async () => await ScalarAsync<long>(
            """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1::oid
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            (long)(uint)DagStore.RoomLockKey(roomNid)) > 0);
        await PersistAsync(After(free["$goes"], "$j"));

        Assert.False(waiting.IsCompleted);
        Assert.Single(await Store.GetEventsAsync(free.RoomId, ["$goes"]));

        await transaction.RollbackAsync();
        await waiting;
        Assert.Single(await Store.GetEventsAsync(locked.RoomId, ["$waits"]));
    }

    private async Task<string> CountRowsAsync(string roomId) =>
        await ScalarAsync<string>(
            """
            WITH r AS (SELECT room_nid FROM rooms WHERE room_id = $1)
            SELECT concat_ws(',',
                (SELECT count(*) FROM event_ids WHERE room_nid = (SELECT room_nid FROM r)),
                (SELECT count(*) FROM events WHERE room_nid = (SELECT room_nid FROM r)),
                (SELECT count(*) FROM event_json j JOIN events e USING (event_nid) WHERE e.room_nid = (SELECT room_nid FROM r)),
                (SELECT count(*) FROM event_prev_edges p JOIN events e USING (event_nid) WHERE e.room_nid = (SELECT room_nid FROM r)),
                (SELECT coalesce(sum(cardinality(auth_event_nids)), 0) FROM events WHERE room_nid = (SELECT room_nid FROM r)),
                (SELECT count(*) FROM state_groups WHERE room_nid = (SELECT room_nid FROM r)),
                (SELECT count(*) FROM forward_extremities WHERE room_nid = (SELECT room_nid FROM r)),
                (SELECT count(*) FROM missing_events WHERE room_nid = (SELECT room_nid FROM r)))
            """,
            roomId);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        // Polls the database (no sleeping) for up to 30 s.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
