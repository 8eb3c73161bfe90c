using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Storage.Dag;
using Federation.Storage.Migrations;
using Federation.Testing.Postgres;

namespace Federation.Storage.Tests.Dag;

public sealed class DagStoreRoundTripTests(PostgresDatabaseFixture database) : DagTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    [Fact]
    public async Task Every_column_and_status_reads_back_as_persisted()
    {
        var room = NewRoom();
        room.Create("$c", Alice);
        room.Member("$j", Alice, "join", ["$c"], ["$c"]);
        room.Message("$m", Alice, ["$j"], ["$c", "$j"], "hello");
        room.State("$rejected", EventTypes.Topic, "", Alice, ["$m"], ["$c", "$j"]);
        room.Message("$soft", Alice, ["$m"], ["$c", "$j"]);
        room.State("$outlier", EventTypes.Name, "", Alice, ["$elsewhere"], ["$c"]);
        room.Message("$backfilled", Alice, ["$older"], ["$c", "$j"]);
        var redacted = JsonSerializer.SerializeToElement(new { type = "m.room.message", content = new { } });

        await PersistAsync(
            First(room["$c"]),
            After(room["$j"], "$c"),
            new EventToPersist(room["$m"]) { StateBefore = StateBefore.SameAsAfter("$j"), RedactedJson = redacted },
            new EventToPersist(room["$rejected"]) { Status = EventStatus.Rejected, RejectionReason = "not allowed", StateBefore = StateBefore.SameAsAfter("$m") },
            new EventToPersist(room["$soft"]) { Status = EventStatus.SoftFailed, StateBefore = StateBefore.SameAsAfter("$m") },
            EventToPersist.Outlier(room["$outlier"]),
            new EventToPersist(room["$backfilled"]) { IsBackfilled = true, StateBefore = StateBefore.SameAsAfter("$j") });

        var ids = new[] { "$c", "$j", "$m", "$rejected", "$soft", "$outlier", "$backfilled" };
        var stored = await Store.GetEventsAsync(room.RoomId, [.. ids, "$never-seen", "$older"]);

        Assert.Equal(ids, stored.Select(e => e.EventId));
        foreach (var e in stored)
        {
            var original = room[e.EventId];
            Assert.Equal(room.RoomId, e.RoomId);
            Assert.Equal(original.Type, e.Pdu.Type);
            Assert.Equal(original.StateKey, e.Pdu.StateKey);
            Assert.Equal(original.Sender, e.Pdu.Sender);
            Assert.Equal(original.Depth, e.Pdu.Depth);
            Assert.Equal(original.OriginServerTs, e.Pdu.OriginServerTs);
            Assert.Equal(original.PrevEvents, e.Pdu.PrevEvents);
            Assert.Equal(original.AuthEvents, e.Pdu.AuthEvents);
            Assert.Equal(original.RoomVersion, e.Pdu.RoomVersion);
            Assert.Equal(CanonicalJson.Encode(original.Json), e.Json.ToArray());
        }

        var byId = stored.ToDictionary(e => e.EventId);
        Assert.Equal(CanonicalJson.Encode(redacted), byId["$m"].RedactedJson!.Value.ToArray());
        Assert.Equal(byId["$m"].RedactedJson!.Value.ToArray(), byId["$m"].ServedJson.ToArray());
        Assert.Null(byId["$j"].RedactedJson);
        Assert.Equal(byId["$j"].Json.ToArray(), byId["$j"].ServedJson.ToArray());
        Assert.Equal(EventStatus.Rejected, byId["$rejected"].Status);
        Assert.Equal("not allowed", byId["$rejected"].RejectionReason);
        Assert.Equal(EventStatus.SoftFailed, byId["$soft"].Status);
        Assert.Null(byId["$soft"].RejectionReason);
        Assert.True(byId["$outlier"].IsOutlier);
        Assert.True(byId["$backfilled"].IsBackfilled);
        Assert.All(stored.Where(e => e.EventId is not "$outlier"), e => Assert.False(e.IsOutlier));
        Assert.All(stored.Where(e => e.EventId is not "$backfilled"), e => Assert.False(e.IsBackfilled));
        Assert.All(stored.Where(e => e.EventId is not ("$rejected" or "$soft")), e => Assert.Equal(EventStatus.Accepted, e.Status));
        // Stream orderings follow the batch order.
        Assert.Equal(stored.Select(e => e.StreamOrdering).Order(), stored.Select(e => e.StreamOrdering));
    }

    [Fact]
    public async Task Interned_columns_hold_type_state_key_membership_and_the_create_event_of_the_room()
    {
        var room = await NewStartedRoomAsync();

        Assert.Equal(
            "m.room.member|@alice:test|join",
            await ScalarAsync<string>(
                """
                SELECT t.event_type || '|' || s.state_key || '|' || e.membership
                FROM event_ids i JOIN events e USING (event_nid) JOIN event_types t USING (type_nid) JOIN state_slots s USING (slot_nid)
                WHERE i.event_id = '$j' AND e.room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)
                """,
                room.RoomId));
        Assert.Equal(
            "$c|10",
            await ScalarAsync<string>(
                "SELECT i.event_id || '|' || r.room_version FROM rooms r JOIN event_ids i ON i.event_nid = r.create_event_nid WHERE r.room_id = $1",
                room.RoomId));
    }

    [Fact]
    public async Task Auth_events_are_stored_on_the_event_row_in_their_order_each_once()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$m", Alice, ["$j"], ["$j", "$c", "$j"]);
        room.Message("$n", Alice, ["$m"], ["$c", "$j"]);

        await PersistAsync(After(room["$m"], "$j"), After(room["$n"], "$m"));

        Assert.Equal(
            "$m:$j,$c|$n:$c,$j",
            await ScalarAsync<string>(
                """
                SELECT string_agg(i.event_id || ':' || (
                    SELECT string_agg(a.event_id, ',' ORDER BY n.ord)
                    FROM unnest(e.auth_event_nids) WITH ORDINALITY AS n(nid, ord) JOIN event_ids a ON a.event_nid = n.nid), '|' ORDER BY i.event_id)
                FROM event_ids i JOIN events e USING (event_nid)
                WHERE i.event_id IN ('$m', '$n') AND e.room_nid = (SELECT room_nid FROM rooms WHERE room_id = $1)
                """,
                room.RoomId));
    }

    [Fact]
    public async Task Persisting_an_event_again_skips_it_and_a_known_outlier_is_de_outliered()
    {
        var room = await NewStartedRoomAsync();
        room.Message("$m", Alice, ["$j"], ["$c", "$j"]);
        await PersistAsync(EventToPersist.Outlier(room["$m"]));
        var before = (await Store.GetEventsAsync(room.RoomId, ["$m"])).Single();

        var again = await PersistAsync(EventToPersist.Outlier(room["$m"]), After(room["$j"], "$c"));
        var deOutliered = await PersistAsync(After(room["$m"], "$j"));

        Assert.Equal(["$m", "$j"], again.AlreadyKnown);
        Assert.Equal(["$m"], deOutliered.Persisted);
        var after = (await Store.GetEventsAsync(room.RoomId, ["$m"])).Single();
        Assert.True(before.IsOutlier);
        Assert.False(after.IsOutlier);
        Assert.True(after.StreamOrdering > before.StreamOrdering);
        Assert.Equal(["$m"], await Store.GetForwardExtremitiesAsync(room.RoomId));
        Assert.NotNull(await Store.GetStateIdsAsync(room.RoomId, "$m", StatePosition.Before));
    }

    [Fact]
    public async Task Inconsistent_batches_are_refused_before_touching_the_database()
    {
        var room = NewRoom();
        var other = NewRoom();
        room.Create("$c", Alice);
        other.Create("$c2", Alice);

        await Assert.ThrowsAsync<ArgumentException>(() => PersistAsync(First(room["$c"]), First(other["$c2"])));
        await Assert.ThrowsAsync<ArgumentException>(() => PersistAsync(First(room["$c"]), First(room["$c"])));
        await Assert.ThrowsAsync<ArgumentException>(() => PersistAsync(new EventToPersist(room["$c"]) { Status = EventStatus.Rejected }));
        await Assert.ThrowsAsync<ArgumentException>(() => PersistAsync(new EventToPersist(room["$c"])));
        Assert.Empty(await Store.GetEventsAsync(room.RoomId, ["$c"]));
        Assert.Empty(await Store.GetEventsAsync(other.RoomId, ["$c2"]));
    }

    [Fact]
    public async Task Events_are_found_by_id_in_any_room_or_only_in_the_room_asked_about()
    {
        var room = NewRoom();
        var other = NewRoom();
        var unique = "$" + Guid.NewGuid().ToString("N");
        room.Create(unique, Alice);
        room.Message("$child", Alice, [unique], [unique]);
        other.Create("$other-create", Alice);
        other.Message("$refers", Alice, ["$other-create", unique], ["$other-create"]);
        await PersistAsync(First(room[unique]), After(room["$child"], unique));
        await PersistAsync(First(other["$other-create"]));
        await PersistAsync(After(other["$refers"], "$other-create"));

        Assert.Equal([room.RoomId], (await Store.GetEventsAsync([unique, "$never"])).Select(e => e.RoomId));
        Assert.Single(await Store.GetEventsAsync(room.RoomId, [unique]));
        // The other room only references the id: there it is a hole, not the event.
        Assert.Empty(await Store.GetEventsAsync(other.RoomId, [unique]));
        Assert.Equal([unique], (await Store.GetHolesAsync(other.RoomId)).Select(h => h.EventId));
    }

    [Fact]
    public async Task Migrations_run_again_on_a_migrated_database_apply_nothing()
    {
        var result = await new MigrationRunner(RepositoryLayout.MigrationsDirectory).MigrateAsync(Database.ConnectionString);

        Assert.Empty(result.Applied);
        Assert.True(result.AlreadyAppliedCount >= 11);
    }
}
