using System.Net;
using System.Text.Json.Nodes;
using Federation.Ingest;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Storage;
using Federation.Storage.Dag;
using Federation.Testing.Dag;
using Federation.Testing.Events;
using Federation.Testing.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Federation.Api.Tests.Send;

/// <summary>
/// The events pulled to fill a gap, and the pushed event that closes it, are checked in memory and stored a run at a
/// time; what is stored must be what storing them one at a time gives. The same gap is filled in two rooms, the second
/// with the database refusing any write of more than one timeline event, so that every run fails and its events go the
/// one-at-a-time way.
/// </summary>
public sealed class GapBatchTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _connectionString = database.ConnectionString;

    private const string RecordTimelineWrites =
        """
        DROP TRIGGER IF EXISTS test_record_timeline_write ON events;
        DROP FUNCTION IF EXISTS test_record_timeline_write();
        DROP TABLE IF EXISTS test_timeline_writes, test_refuse_batches;
        CREATE TABLE test_timeline_writes (rows integer NOT NULL);
        CREATE TABLE test_refuse_batches ();
        CREATE FUNCTION test_record_timeline_write() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE written integer;
        BEGIN
            SELECT count(*) INTO written FROM inserted WHERE NOT outlier;
            IF written > 1 AND EXISTS (SELECT FROM test_refuse_batches) THEN
                RAISE EXCEPTION 'this test stores timeline events one at a time';
            END IF;
            INSERT INTO test_timeline_writes VALUES (written);
            RETURN NULL;
        END $$;
        CREATE TRIGGER test_record_timeline_write AFTER INSERT ON events REFERENCING NEW TABLE AS inserted
            FOR EACH STATEMENT EXECUTE FUNCTION test_record_timeline_write();
        """;

    [Fact]
    public async Task A_gap_with_a_rejected_and_a_soft_failed_event_is_stored_as_one_at_a_time_stores_it()
    {
        var (expected, actual) = await FillBothWaysAsync(PushAsync);

        Assert.Equal(expected.Statuses, actual.Statuses);
        Assert.Equal(expected.States, actual.States);
        Assert.Equal(expected.Extremities, actual.Extremities);
        Assert.Equal(EventStatus.Rejected, expected.Statuses["intruder"]);
        Assert.Equal(EventStatus.SoftFailed, expected.Statuses["banned"]);
        Assert.All(expected.Statuses.Where(s => s.Key is not "intruder" and not "banned"), s => Assert.Equal(EventStatus.Accepted, s.Value));
    }

    [Fact]
    public async Task Pulled_events_handed_over_together_are_stored_as_one_at_a_time_stores_them()
    {
        var outcomes = new Dictionary<string, IReadOnlyList<(string EventId, PduOutcome Outcome)>>(StringComparer.Ordinal);

        var (expected, actual) = await FillBothWaysAsync(async gap => outcomes[gap.RoomId] = await Server.Services.GetRequiredService<PduIngestor>()
            .ProcessPulledAsync("remote.test", [.. gap.Events.Select(e => new VerifiedEvent(e.Pdu, null))], CancellationToken.None));

        Assert.Equal(expected.Statuses, actual.Statuses);
        Assert.Equal(expected.States, actual.States);
        Assert.Equal(expected.Extremities, actual.Extremities);
        Assert.Equal(EventStatus.SoftFailed, expected.Statuses["banned"]);
        Assert.Equal(
            outcomes[expected.RoomId].Select(o => (o.Outcome.Disposition, o.Outcome.Reason)),
            outcomes[actual.RoomId].Select(o => (o.Outcome.Disposition, o.Outcome.Reason)));
    }

    /// <summary>
    /// Prepares the gap in this test's room and in a second one, fills it in the first as it comes and in the second
    /// with the database refusing writes of more than one timeline event, and checks that the first wrote in batches.
    /// </summary>
    /// <returns>What was stored one at a time (expected), and in batches.</returns>
    private async Task<(StoredGap OneAtATime, StoredGap Batched)> FillBothWaysAsync(Func<Gap, Task> fill)
    {
        _ = Server.CreateClient();
        var batched = await PrepareGapAsync(Room);
        var otherRoom = new SignedRoomBuilder(RoomVersion.Get("10"), Remote.Identity, Server.Identity).CreatePublicRoom("@alice:remote.test");
        otherRoom.Join("@bob:test.example");
        await LinearHistory.PersistAsync(Store, otherRoom.Events);
        var oneAtATime = await PrepareGapAsync(otherRoom);
        await using var dataSource = StoreDataSource.Create(_connectionString);
        await dataSource.CreateCommand(RecordTimelineWrites).ExecuteNonQueryAsync();

        await fill(batched);
        var batchedWrites = await TimelineWritesAsync(dataSource);
        await dataSource.CreateCommand("DELETE FROM test_timeline_writes; INSERT INTO test_refuse_batches DEFAULT VALUES").ExecuteNonQueryAsync();
        await fill(oneAtATime);
        var singleWrites = await TimelineWritesAsync(dataSource);
        await dataSource.CreateCommand("DROP TRIGGER test_record_timeline_write ON events").ExecuteNonQueryAsync();

        Assert.Contains(batchedWrites, rows => rows > 1);
        Assert.True(batchedWrites.Count < singleWrites.Count, $"{batchedWrites.Count} writes batched, {singleWrites.Count} one at a time");
        Assert.All(singleWrites, rows => Assert.Equal(1, rows));
        return (await StoredAsync(oneAtATime), await StoredAsync(batched));
    }

    /// <summary>
    /// Dave joins, then Alice bans him on a branch this server already holds; the remote has meanwhile written on the
    /// other branch: a message, one from a user who never joined (rejected), one built on it, one from Dave (allowed by
    /// its own history, not by the current state: soft-failed), one built on that, a topic, a message, and the message
    /// it pushes, whose gap this server asks for.
    /// </summary>
    private async Task<Gap> PrepareGapAsync(SignedRoomBuilder room)
    {
        var opening = room.Events.ToList();
        var davesJoin = room.Join("@dave:remote.test");
        var labelled = new List<(string Label, Pdu Pdu)>
        {
            ("first", room.Message("@alice:remote.test", "first")),
            ("intruder", room.Message("@mallory:remote.test", "never joined")),
            ("after intruder", room.Message("@alice:remote.test", "after the rejected one")),
            ("banned", room.Message("@dave:remote.test", "before I saw the ban")),
            ("after banned", room.Message("@alice:remote.test", "after the soft-failed one")),
            ("topic", room.Add("@alice:remote.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "runs" })),
            ("last pulled", room.Message("@alice:remote.test", "last pulled")),
            ("pushed", room.Message("@alice:remote.test", "closes the gap")),
        };
        var ban = room.Add("@alice:remote.test", EventTypes.Member, "@dave:remote.test", new JsonObject { ["membership"] = "ban" }, prevEvents: [davesJoin.EventId]);
        await LinearHistory.PersistAsync(Store, [davesJoin, ban], after: davesJoin.PrevEvents[0]);
        var pulled = labelled.SkipLast(1).Select(l => l.Pdu).Reverse().Select(p => JsonNode.Parse(p.Json.GetRawText())).ToArray();
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + room.RoomId, _ => Task.FromResult(
            Microsoft.AspNetCore.Http.Results.Json(new { events = pulled })));
        var labels = opening.Select((e, i) => (e.EventId, Label: $"opening {i}"))
            .Concat([(davesJoin.EventId, Label: "dave's join"), (ban.EventId, Label: "ban")])
            .Concat(labelled.Select(l => (l.Pdu.EventId, l.Label)))
            .ToDictionary(l => l.EventId, l => l.Label, StringComparer.Ordinal);
        return new Gap(room.RoomId, labels, labelled);
    }

    private async Task PushAsync(Gap gap)
    {
        using var client = Server.CreateClient();
        var body = new JsonObject
        {
            ["origin"] = "remote.test",
            ["pdus"] = new JsonArray(JsonNode.Parse(gap.Events[^1].Pdu.Json.GetRawText())),
        };
        var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + Guid.NewGuid().ToString("N"), body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await Server.Services.GetRequiredService<InboundQueueWorker>().DrainedAsync(gap.RoomId, timeout.Token);
    }

    /// <summary>Statuses, the state after every event of the gap and the forward extremities, by label, so two rooms compare.</summary>
    private async Task<StoredGap> StoredAsync(Gap gap)
    {
        var statuses = new SortedDictionary<string, EventStatus>(StringComparer.Ordinal);
        var states = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (label, pdu) in gap.Events)
        {
            var stored = Assert.Single(await Store.GetEventsAsync([pdu.EventId]));
            Assert.False(stored.IsOutlier);
            Assert.Equal(stored.Status == EventStatus.Rejected, stored.RejectionReason is not null);
            statuses[label] = stored.Status;
            var after = await Store.GetStateAsync(gap.RoomId, pdu.EventId, StatePosition.After);
            states[label] = string.Join(", ", after!.OrderBy(s => s.Key.Type, StringComparer.Ordinal).ThenBy(s => s.Key.StateKey, StringComparer.Ordinal)
                .Select(s => $"{s.Key.Type}/{s.Key.StateKey}={gap.Labels[s.Value]}"));
        }

        var extremities = (await Store.GetForwardExtremitiesAsync(gap.RoomId)).Select(id => gap.Labels[id]).Order(StringComparer.Ordinal);
        return new StoredGap(gap.RoomId, statuses, states, string.Join(", ", extremities));
    }

    private static async Task<List<int>> TimelineWritesAsync(NpgsqlDataSource dataSource)
    {
        var rows = new List<int>();
        await using var reader = await dataSource.CreateCommand("SELECT rows FROM test_timeline_writes").ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetInt32(0));
        }

        return rows;
    }

    private sealed record Gap(string RoomId, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(string Label, Pdu Pdu)> Events);

    private sealed record StoredGap(string RoomId, SortedDictionary<string, EventStatus> Statuses, SortedDictionary<string, string> States, string Extremities);
}
