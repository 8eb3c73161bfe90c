using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Storage.Dag;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;

namespace Federation.Api.Tests.Send;

/// <summary>
/// A remote pushes an event after a gap and then answers the requests that fill it (<c>/get_missing_events</c>,
/// <c>/state_ids</c>) with a trickle, an endless body or JSON nested past every limit. The pushed event and what it
/// pulled are not stored, our forward extremities and current state are as before, and once the remote answers
/// truthfully the same event goes through.
/// </summary>
public sealed class HostileGapFillTests(PostgresDatabaseFixture database)
    : SharedRoomTestBase(database), IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(20);

    private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public enum Hostility
    {
        Trickle,
        EndlessBody,
        DeepNesting,
        HugeNumbers,
    }

    [Theory]
    [InlineData(Hostility.Trickle)]
    [InlineData(Hostility.EndlessBody)]
    [InlineData(Hostility.DeepNesting)]
    [InlineData(Hostility.HugeNumbers)]
    public async Task A_hostile_missing_events_answer_leaves_the_room_as_it_was(Hostility hostility)
    {
        Server.Settings["FederationClient:MaxResponseBytes"] = "1048576";
        _ = Server.CreateClient();
        var gap = Room.Message("@alice:remote.test", "in the gap");
        var pushed = Room.Message("@alice:remote.test", "latest");
        Remote.Handle("POST", "/_matrix/federation/v1/get_missing_events/" + Room.RoomId, context => AnswerAsync(context, hostility, gap));

        await AssertPushLeavesRoomUnchangedAsync("m-" + hostility, pushed, hostility, [gap]);
    }

    [Theory]
    [InlineData(Hostility.Trickle)]
    [InlineData(Hostility.EndlessBody)]
    [InlineData(Hostility.DeepNesting)]
    public async Task A_hostile_state_ids_answer_at_a_hole_leaves_the_room_as_it_was(Hostility hostility)
    {
        Server.Settings["FederationClient:MaxResponseBytes"] = "1048576";
        _ = Server.CreateClient();
        var history = Enumerable.Range(1, 12).Select(i => Room.Message("@alice:remote.test", "m" + i)).ToList();
        var pushed = Room.Message("@alice:remote.test", "latest");
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        Remote.Handle("GET", "/_matrix/federation/v1/state_ids/" + Room.RoomId, context => AnswerAsync(context, hostility, history[0]));

        await AssertPushLeavesRoomUnchangedAsync("s-" + hostility, pushed, hostility, history);
    }

    private async Task AssertPushLeavesRoomUnchangedAsync(string txnId, Pdu pushed, Hostility hostility, IReadOnlyList<Pdu> pulled)
    {
        var extremities = await Store.GetForwardExtremitiesAsync(Room.RoomId);
        var state = await CurrentStateAsync();

        Assert.Equal(HttpStatusCode.OK, (await PushAsync(txnId, pushed)).StatusCode);
        if (hostility == Hostility.Trickle)
        {
            // The remote holds the request open; the gap fill's deadline (and the attempt's) ends it.
            await _asked.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Server.Time.Advance(TimeSpan.FromSeconds(61));
        }

        await QueueDrainedAsync();

        Assert.Null(await StoredAsync(pushed.EventId));
        foreach (var pdu in pulled)
        {
            Assert.Null(await StoredAsync(pdu.EventId));
        }

        Assert.Equal(extremities, await Store.GetForwardExtremitiesAsync(Room.RoomId));
        Assert.Equal(state, await CurrentStateAsync());

        // The same remote, now truthful: once the failed pull's back-off has passed, the event and its gap are taken in.
        RoomHistoryServer.Serve(Remote, Room.Version, Room.RoomId, Room.Events);
        Server.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.OK, (await PushAsync(txnId + "-again", pushed)).StatusCode);
        await QueueDrainedAsync();
        Assert.Equal(EventStatus.Accepted, (await StoredAsync(pushed.EventId))!.Status);
        Assert.Contains(pushed.EventId, await Store.GetForwardExtremitiesAsync(Room.RoomId));
    }

    private async Task<IResult> AnswerAsync(HttpContext context, Hostility hostility, Pdu sample)
    {
        _asked.TrySetResult();
        var response = context.Response;
        var token = context.RequestAborted;
        switch (hostility)
        {
            case Hostility.Trickle:
                response.ContentType = "application/json";
                await response.StartAsync(token);
                while (!token.IsCancellationRequested)
                {
                    await response.Body.WriteAsync("{"u8.ToArray(), token);
                    await response.Body.FlushAsync(token);
                    await Task.Delay(Pace, TimeProvider.System, token);
                }

                return Results.Empty;
            case Hostility.EndlessBody:
                response.ContentType = "application/json";
                var block = Encoding.ASCII.GetBytes(new string(' ', 0x10000));
                await response.Body.WriteAsync("{\"events\":"u8.ToArray(), token);
                while (!token.IsCancellationRequested)
                {
                    await response.Body.WriteAsync(block, token);
                }

                return Results.Empty;
            case Hostility.DeepNesting:
                return Results.Text("{\"events\":" + new string('[', 100_000) + new string(']', 100_000) + "}", "application/json");
            default:
                // A real event with its depth and timestamp replaced by numbers no integer type holds.
                var node = JsonNode.Parse(sample.Json.GetRawText())!.AsObject();
                node.Remove("depth");
                node.Remove("origin_server_ts");
                var json = node.ToJsonString();
                var huge = "\"depth\":1e400,\"origin_server_ts\":" + new string('9', 10_000) + ",";
                return Results.Text("{\"events\":[" + json.Insert(1, huge) + "]}", "application/json");
        }
    }

    private async Task<HttpResponseMessage> PushAsync(string txnId, Pdu pdu)
    {
        using var client = Server.CreateClient();
        var body = new JsonObject { ["origin"] = "remote.test", ["pdus"] = new JsonArray(JsonNode.Parse(pdu.Json.GetRawText())) };
        return await Remote.SendSignedAsync(
            client, client.BaseAddress!, "test.example", HttpMethod.Put, "/_matrix/federation/v1/send/" + txnId, body.ToJsonString());
    }

    private async Task<StoredEvent?> StoredAsync(string eventId) => (await Store.GetEventsAsync([eventId])).SingleOrDefault();

    private async Task<IReadOnlyList<KeyValuePair<StateSlot, string>>> CurrentStateAsync()
    {
        var state = await new StateCalculator(Store).CurrentStateAsync(Room.RoomId, Room.Version, CancellationToken.None);
        return [.. state.Entries.OrderBy(e => e.Key.Type, StringComparer.Ordinal).ThenBy(e => e.Key.StateKey, StringComparer.Ordinal)];
    }
}
