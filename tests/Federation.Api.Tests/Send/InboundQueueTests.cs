using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
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

    [Fact]
    public async Task A_transaction_is_answered_while_the_gap_of_its_event_is_still_being_filled()
    {
        using var client = Server.CreateClient();
        var gap = Room.Message("@alice:remote.test", "in the gap");
        var latest = Room.Message("@alice:remote.test", "latest");
        var missingEventsAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answerMissingEvents = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, async _ =>
        {
            missingEventsAsked.SetResult();
            await answerMissingEvents.Task;
            return Microsoft.AspNetCore.Http.Results.Json(new { events = new[] { JsonNode.Parse(gap.Json.GetRawText()) } });
        });
        var body = new JsonObject { ["origin"] = "remote.test", ["pdus"] = new JsonArray(JsonNode.Parse(latest.Json.GetRawText())) };

        var response = await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/q1", body.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("pdus").GetProperty(latest.EventId);
        Assert.Equal("{}", result.GetRawText());
        await missingEventsAsked.Task;
        Assert.Null(await Stored(latest.EventId));

        answerMissingEvents.SetResult();
        await QueueDrainedAsync();

        Assert.Equal(EventStatus.Accepted, (await Stored(gap.EventId))!.Status);
        Assert.Equal(EventStatus.Accepted, (await Stored(latest.EventId))!.Status);
        Assert.Equal([latest.EventId], await Store.GetForwardExtremitiesAsync(Room.RoomId));
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
}
