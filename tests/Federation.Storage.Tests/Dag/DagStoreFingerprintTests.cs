using Federation.Protocol.Events;
using Federation.Resync.Core.Fingerprints;
using Federation.Storage.Dag;
using Federation.Storage.Migrations;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreFingerprintTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Fingerprints_kept_change_by_change_equal_a_recompute_along_a_long_line_of_state_changes()
    {
        // 1,100 state changes cross the delta levels (every 32 and 1,024 groups) and replace, remove and add entries.
        var room = await NewStartedRoomAsync();
        var batch = new List<EventToPersist>();
        var previous = "$j";
        for (var i = 0; i < 1_100; i++)
        {
            var id = $"$s{i}";
            var pdu = (i % 4) switch
            {
                0 => room.Member(id, $"@u{i % 50}:test", "join", [previous], ["$c"]),
                1 => room.State(id, EventTypes.Topic, "", Alice, [previous], ["$c", "$j"]),
                2 => room.Member(id, $"@u{(i + 25) % 50}:test", "leave", [previous], ["$c"]),
                _ => room.Message(id, Alice, [previous], ["$c", "$j"]),
            };
            batch.Add(After(pdu, previous));
            previous = id;
        }

        foreach (var chunk in batch.Chunk(100))
        {
            await Store.PersistEventsAsync(chunk);
        }

        foreach (var id in new[] { "$c", "$j" }.Concat(Enumerable.Range(0, 1_100).Where(i => i % 37 == 0 || i >= 1_090).Select(i => $"$s{i}")))
        {
            await AssertMatchesRecomputeAsync(Store, room.RoomId, id);
        }
    }

    [Fact]
    public async Task Fingerprints_of_forks_and_of_a_merge_given_as_a_full_map_equal_a_recompute()
    {
        var room = await NewStartedRoomAsync();
        room.Member("$bob", Bob, "join", ["$j"], ["$c"]);
        room.State("$topic", EventTypes.Topic, "", Alice, ["$bob"], ["$c", "$j"]);
        room.Member("$ban", Alice, "ban", ["$bob"], ["$c", "$j"], target: Bob);
        room.Message("$merge", Alice, ["$topic", "$ban"], ["$c", "$j"]);
        var merged = new Dictionary<StateSlot, string>
        {
            [new(EventTypes.Create, "")] = "$c",
            [new(EventTypes.Member, Alice)] = "$j",
            [new(EventTypes.Member, Bob)] = "$ban",
            [new(EventTypes.Topic, "")] = "$topic",
        };
        await PersistAsync(After(room["$bob"], "$j"), After(room["$topic"], "$bob"), After(room["$ban"], "$bob"));
        await PersistAsync(new EventToPersist(room["$merge"]) { StateBefore = StateBefore.Full(merged) });

        foreach (var id in new[] { "$bob", "$topic", "$ban", "$merge" })
        {
            await AssertMatchesRecomputeAsync(Store, room.RoomId, id);
        }

        var topic = await Store.GetStateFingerprintAsync(room.RoomId, "$topic", StatePosition.After);
        var ban = await Store.GetStateFingerprintAsync(room.RoomId, "$ban", StatePosition.After);
        Assert.NotEqual(topic!.Digest, ban!.Digest);
        Assert.Equal(3, ban.Count);
    }

    [Fact]
    public async Task A_delta_that_empties_a_slot_subtracts_its_entry()
    {
        var room = await NewStartedRoomAsync();
        room.State("$topic", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.Message("$m", Alice, ["$topic"], ["$c", "$j"]);
        await PersistAsync(After(room["$topic"], "$j"));
        await PersistAsync(new EventToPersist(room["$m"])
        {
            StateBefore = StateBefore.Delta("$topic", new Dictionary<StateSlot, string?> { [new(EventTypes.Topic, "")] = null }),
        });

        await AssertMatchesRecomputeAsync(Store, room.RoomId, "$m");
        Assert.Equal(
            (await Store.GetStateFingerprintAsync(room.RoomId, "$j", StatePosition.After))!.Fingerprint,
            (await Store.GetStateFingerprintAsync(room.RoomId, "$m", StatePosition.Before))!.Fingerprint);
    }

    [Fact]
    public async Task Two_stores_fed_the_same_events_in_different_orders_hold_equal_digests()
    {
        await using var otherDatabase = await TestPostgresServer.CreateDatabaseAsync("fingerprints");
        await new MigrationRunner(RepositoryLayout.MigrationsDirectory).MigrateAsync(otherDatabase.ConnectionString);
        await using var otherSource = NpgsqlDataSource.Create(otherDatabase.ConnectionString);
        var other = new DagStore(otherSource, Clock);

        var room = await NewStartedRoomAsync();
        room.Member("$bob", Bob, "join", ["$j"], ["$c"]);
        room.State("$topic", EventTypes.Topic, "", Alice, ["$bob"], ["$c", "$j"]);
        room.Member("$ban", Alice, "ban", ["$bob"], ["$c", "$j"], target: Bob);
        room.State("$name", EventTypes.Name, "", Alice, ["$topic", "$ban"], ["$c", "$j"]);
        var merged = new Dictionary<StateSlot, string>
        {
            [new(EventTypes.Create, "")] = "$c",
            [new(EventTypes.Member, Alice)] = "$j",
            [new(EventTypes.Member, Bob)] = "$ban",
            [new(EventTypes.Topic, "")] = "$topic",
        };
        var name = new EventToPersist(room["$name"]) { StateBefore = StateBefore.Full(merged) };
        await PersistAsync(After(room["$bob"], "$j"), After(room["$topic"], "$bob"), After(room["$ban"], "$bob"), name);

        // The other store takes the ban branch first, each event in its own write, and its merge as a delta on the ban.
        await other.PersistEventsAsync([First(room["$c"])]);
        await other.PersistEventsAsync([After(room["$j"], "$c")]);
        await other.PersistEventsAsync([After(room["$bob"], "$j")]);
        await other.PersistEventsAsync([After(room["$ban"], "$bob")]);
        await other.PersistEventsAsync([After(room["$topic"], "$bob")]);
        await other.PersistEventsAsync([new EventToPersist(room["$name"])
        {
            StateBefore = StateBefore.Delta("$ban", new Dictionary<StateSlot, string?> { [new(EventTypes.Topic, "")] = "$topic" }),
        }]);

        foreach (var id in new[] { "$c", "$j", "$bob", "$topic", "$ban", "$name" })
        {
            foreach (var position in new[] { StatePosition.Before, StatePosition.After })
            {
                Assert.Equal(
                    (await Store.GetStateFingerprintAsync(room.RoomId, id, position))!.Fingerprint,
                    (await other.GetStateFingerprintAsync(room.RoomId, id, position))!.Fingerprint);
            }
        }
    }

    [Fact]
    public async Task Groups_written_without_a_fingerprint_get_one_from_their_whole_state_when_read_or_built_on()
    {
        var room = await NewStartedRoomAsync();
        room.State("$topic", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.State("$name", EventTypes.Name, "", Alice, ["$topic"], ["$c", "$j"]);
        await PersistAsync(After(room["$topic"], "$j"));
        var expected = (await Store.GetStateFingerprintAsync(room.RoomId, "$topic", StatePosition.After))!.Fingerprint;

        // As if written before migration 0027: no rows, and a process that never saw them.
        await DeleteFingerprintsAsync(room.RoomId);
        var (_, fresh) = NewStore();
        Assert.Equal(expected, (await fresh.GetStateFingerprintAsync(room.RoomId, "$topic", StatePosition.After))!.Fingerprint);
        Assert.Equal(1, await ScalarAsync<long>(
            "SELECT count(*) FROM state_group_digests d JOIN state_groups g USING (state_group_nid) JOIN rooms r USING (room_nid) WHERE r.room_id = $1",
            room.RoomId));

        await DeleteFingerprintsAsync(room.RoomId);
        var (_, writer) = NewStore();
        await writer.PersistEventsAsync([After(room["$name"], "$topic")]);
        await AssertMatchesRecomputeAsync(writer, room.RoomId, "$name");
    }

    [Fact]
    public async Task Extremities_carry_the_fingerprints_of_their_states_and_the_ancestor_line_follows_prev_events()
    {
        var room = await NewStartedRoomAsync();
        room.State("$a", EventTypes.Topic, "", Alice, ["$j"], ["$c", "$j"]);
        room.State("$b", EventTypes.Name, "", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(After(room["$a"], "$j"), After(room["$b"], "$j"));

        var extremities = await Store.GetExtremityFingerprintsAsync(room.RoomId);

        Assert.Equal(["$a", "$b"], extremities.Select(e => e.EventId).Order(StringComparer.Ordinal));
        foreach (var extremity in extremities)
        {
            Assert.Equal((await Store.GetStateFingerprintAsync(room.RoomId, extremity.EventId, StatePosition.After))!.Fingerprint, extremity.Fingerprint.Fingerprint);
        }

        Assert.Equal(["$c", "$j", "$a"], await Store.GetAncestorLineAsync(room.RoomId, "$a", 10));
        Assert.Equal(["$j", "$a"], await Store.GetAncestorLineAsync(room.RoomId, "$a", 2));
        Assert.Equal(["$j"], await Store.GetPrevEventsWithStateAsync(room.RoomId, "$b"));
        Assert.Empty(await Store.GetAncestorLineAsync(room.RoomId, "$nothing", 10));
        Assert.Null(await Store.GetStateFingerprintAsync(room.RoomId, "$nothing", StatePosition.After));
    }

    [Fact]
    public async Task Lattices_are_stored_inline_and_read_back_by_a_new_store_as_written()
    {
        // A lattice is 2 KB of sums of hashes: compressing or moving it to the toast table bought nothing per write.
        var room = await NewStartedRoomAsync();
        room.Member("$bob", Bob, "join", ["$j"], ["$c"]);
        room.State("$topic", EventTypes.Topic, "", Alice, ["$bob"], ["$c", "$j"]);
        await PersistAsync(After(room["$bob"], "$j"), After(room["$topic"], "$bob"));

        Assert.Equal(0L, await ScalarAsync<long>(
            "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE oid = 'state_group_digests'::regclass"));
        var (_, fresh) = NewStore();
        foreach (var id in new[] { "$c", "$j", "$bob", "$topic" })
        {
            await AssertMatchesRecomputeAsync(fresh, room.RoomId, id);
        }
    }

    private static async Task AssertMatchesRecomputeAsync(DagStore store, string roomId, string eventId)
    {
        foreach (var position in new[] { StatePosition.Before, StatePosition.After })
        {
            var state = await store.GetStateAsync(roomId, eventId, position);
            var stored = await store.GetStateFingerprintAsync(roomId, eventId, position);
            var recomputed = StateAccumulator.Of(state!.Select(e => new StateEntry(e.Key.Type, e.Key.StateKey, e.Value)));
            Assert.Equal(recomputed.Fingerprint(), stored!.Fingerprint);
            Assert.True(recomputed.Lattice.Bytes.SequenceEqual(stored.Lattice.Span), $"lattice of {eventId} {position}");
        }
    }

    private async Task DeleteFingerprintsAsync(string roomId)
    {
        await using var command = DataSource.CreateCommand(
            "DELETE FROM state_group_digests d USING state_groups g, rooms r WHERE d.state_group_nid = g.state_group_nid AND g.room_nid = r.room_nid AND r.room_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = roomId });
        await command.ExecuteNonQueryAsync();
    }
}
