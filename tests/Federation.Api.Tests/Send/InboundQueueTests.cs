using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Api.Tests.Send;

/// <summary>
/// <c>/send</c> answers once events are admitted and queued; the queue is processed per room in the background and
/// survives restarts.
/// </summary>
public sealed class InboundQueueTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private readonly PostgresDatabaseFixture _database = database;

    private async Task<StoredEvent?> Stored(string eventId) => (await Store.GetEventsAsync([eventId])).SingleOrDefault();

    /// <summary>The remote answers <c>/get_missing_events</c> with <paramref name="gap"/>, but only once the test says so:
    /// the worker stays busy with the room meanwhile.</summary>
    private (Task Asked, TaskCompletionSource Answer) HoldMissingEvents(Pdu gap)
    {
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, async _ =>
        {
            asked.SetResult();
            await answer.Task;
            return Microsoft.AspNetCore.Http.Results.Json(new { events = new[] { JsonNode.Parse(gap.Json.GetRawText()) } });
        });
        return (asked.Task, answer);
    }

    [Fact]
    public async Task A_transaction_is_answered_while_the_gap_of_its_event_is_still_being_filled()
    {
        using var client = Server.CreateClient();
        var gap = Room.Message("@alice:remote.test", "in the gap");
        var latest = Room.Message("@alice:remote.test", "latest");
        var (missingEventsAsked, answerMissingEvents) = HoldMissingEvents(gap);
        var body = new JsonObject { ["origin"] = "remote.test", ["pdus"] = new JsonArray(JsonNode.Parse(latest.Json.GetRawText())) };

        var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/q1", body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pdus").GetProperty(latest.EventId);
        Assert.Equal("{}", result.GetRawText());
        await missingEventsAsked;
        Assert.Null(await Stored(latest.EventId));

        answerMissingEvents.SetResult();
        await QueueDrainedAsync();

        Assert.Equal(EventStatus.Accepted, (await Stored(gap.EventId))!.Status);
        Assert.Equal(EventStatus.Accepted, (await Stored(latest.EventId))!.Status);
        Assert.Equal([latest.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task An_event_pushed_while_its_room_is_busy_is_processed_from_the_copy_queued_in_memory()
    {
        using var client = Server.CreateClient();
        var gap = Room.Message("@alice:remote.test", "in the gap");
        var latest = Room.Message("@alice:remote.test", "latest");
        var pushed = Room.Message("@alice:remote.test", "pushed while busy");
        var queuedElsewhere = Room.Message("@alice:remote.test", "queued by another process");
        var (missingEventsAsked, answerMissingEvents) = HoldMissingEvents(gap);
        await SendAsync(client, "busy1", latest);
        await missingEventsAsked;

        // The worker is held up by the gap of the first event; the next two wait in the queue meanwhile.
        await SendAsync(client, "busy2", pushed);
        await using var dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        await new InboundPduStore(dataSource, TimeProvider.System).EnqueueAsync(
            [("remote.test", new VerifiedEvent(queuedElsewhere, null))], CancellationToken.None);
        await using (var mark = dataSource.CreateCommand(
            """
            UPDATE inbound_pdus
            SET event_json = convert_to(jsonb_set(convert_from(event_json, 'UTF8')::jsonb, '{unsigned}', '{"read_back": true}')::text, 'UTF8')
            WHERE room_id = $1 AND event_id = ANY ($2)
            """))
        {
            mark.Parameters.Add(new NpgsqlParameter { Value = Room.RoomId });
            mark.Parameters.Add(new NpgsqlParameter { Value = new[] { pushed.EventId, queuedElsewhere.EventId } });
            Assert.Equal(2, await mark.ExecuteNonQueryAsync());
        }

        answerMissingEvents.SetResult();
        await QueueDrainedAsync();

        var fromMemory = (await Stored(pushed.EventId))!;
        var readBack = (await Stored(queuedElsewhere.EventId))!;
        Assert.Equal(EventStatus.Accepted, fromMemory.Status);
        Assert.Equal(EventStatus.Accepted, readBack.Status);
        Assert.False(fromMemory.Pdu.Json.TryGetProperty("unsigned", out _));
        Assert.True(readBack.Pdu.Json.GetProperty("unsigned").GetProperty("read_back").GetBoolean());
    }

    [Fact]
    public async Task Events_queued_before_a_restart_are_processed_when_the_server_starts()
    {
        var first = Room.Message("@alice:remote.test", "queued before the crash");
        var second = Room.Message("@alice:remote.test", "also queued");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        await using (var dataSource = NpgsqlDataSource.Create(_database.ConnectionString))
        {
            await new InboundPduStore(dataSource, TimeProvider.System).EnqueueAsync(
                [("remote.test", new VerifiedEvent(second, null)), ("remote.test", new VerifiedEvent(first, null))], CancellationToken.None);
        }

        _ = Server.CreateClient();
        await QueueDrainedAsync();

        // Queued out of order: the second found its prev missing and fetched it from the origin.
        Assert.Equal(EventStatus.Accepted, (await Stored(first.EventId))!.Status);
        Assert.Equal(EventStatus.Accepted, (await Stored(second.EventId))!.Status);
        Assert.Equal([second.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    [Fact]
    public async Task The_same_event_queued_twice_is_processed_once()
    {
        var message = Room.Message("@alice:remote.test", "twice");
        await using (var dataSource = NpgsqlDataSource.Create(_database.ConnectionString))
        {
            var queue = new InboundPduStore(dataSource, TimeProvider.System);
            await queue.EnqueueAsync([("remote.test", new VerifiedEvent(message, null))], CancellationToken.None);
            await queue.EnqueueAsync([("other.test", new VerifiedEvent(message, null))], CancellationToken.None);
            Assert.Equal(1, await queue.CountAsync(Room.RoomId, CancellationToken.None));
        }

        _ = Server.CreateClient();
        await QueueDrainedAsync();

        Assert.Equal(EventStatus.Accepted, (await Stored(message.EventId))!.Status);
    }

    private async Task SendAsync(HttpClient client, string txnId, Pdu pdu)
    {
        var body = new JsonObject { ["origin"] = "remote.test", ["pdus"] = new JsonArray(JsonNode.Parse(pdu.Json.GetRawText())) };
        var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
