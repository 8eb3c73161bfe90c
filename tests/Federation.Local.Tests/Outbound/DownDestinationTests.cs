using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Client;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Local.Rooms;
using Federation.Protocol.Events;
using Federation.Testing.Homeservers;
using Federation.Testing.Postgres;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Federation.Local.Tests.Outbound;

/// <summary>
/// A destination that is down for simulated minutes or hours while events keep being queued to it: it is asked only as
/// often as the back-off schedule allows, and gets everything, once, at the first attempt after it returns.
/// </summary>
public sealed class DownDestinationTests(PostgresDatabaseFixture database, ITestOutputHelper output) : IClassFixture<PostgresDatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(DestinationFailure.ConnectionRefused, 60)]
    [InlineData(DestinationFailure.NoAnswer, 60)]
    [InlineData(DestinationFailure.ServerError, 60)]
    [InlineData(DestinationFailure.ConnectionRefused, 24 * 60)]
    [InlineData(DestinationFailure.NoAnswer, 24 * 60)]
    [InlineData(DestinationFailure.ServerError, 24 * 60)]
    public async Task A_destination_down_for_a_while_is_tried_only_on_the_back_off_schedule_and_gets_every_event_once_when_it_returns(
        DestinationFailure failure, int minutesDown)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"down-{failure}-{minutesDown}.test").ToLowerInvariant();
        var port = FreeLoopbackPort.Pick();
        await using var harness = new LocalHarness(
            database.ConnectionString, "local-" + name, new Dictionary<string, string?> { [$"FederationClient:Destinations:{name}"] = $"http://127.0.0.1:{port}/" });
        var remote = await LoopbackRemote.StartAsync(name, port);
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest { Preset = "public_chat" }, CancellationToken.None);
        await RemoteMembers.JoinAsync(harness, remote.Identity, roomId, "zoe");
        using var arrived = new SemaphoreSlim(0);
        remote.Handler = failure switch
        {
            DestinationFailure.NoAnswer => context => HoldAsync(context, arrived),
            _ => _ => Task.FromResult(Results.Json(new { errcode = "M_UNKNOWN", error = "down" }, statusCode: 503)),
        };
        if (failure == DestinationFailure.ConnectionRefused)
        {
            // It published its key for the join; from now on nothing listens on its port.
            await remote.DisposeAsync();
        }

        var schedule = new BackOffSchedule(harness.Get<IOptions<OutboundOptions>>().Value);
        var attemptTimeout = harness.Get<IOptions<FederationClientOptions>>().Value.AttemptTimeout;
        var wakeups = harness.Get<OutboundWakeups>();
        var down = TimeSpan.FromMinutes(minutesDown);
        var queued = new List<string>();
        var nextBackOff = wakeups.NextBackOff(name);
        await harness.StartSenderAsync();

        // The first event is sent at once and fails; each failure is followed by the next wait of the schedule, during
        // which one more event is queued, until the next attempt would start after the destination has returned.
        var last = await SayAsync(harness, roomId, queued);
        var elapsed = TimeSpan.Zero;
        var waits = new List<TimeSpan>();
        while (true)
        {
            if (failure == DestinationFailure.NoAnswer)
            {
                await arrived.WaitAsync(Patience);
                harness.Time.Advance(attemptTimeout);
                elapsed += attemptTimeout;
            }

            var wait = await nextBackOff.WaitAsync(Patience);
            waits.Add(wait);
            nextBackOff = wakeups.NextBackOff(name);
            if (elapsed + wait >= down)
            {
                break;
            }

            last = await SayAsync(harness, roomId, queued);
            harness.Time.Advance(wait);
            elapsed += wait;
        }

        var requestsWhileDown = failure == DestinationFailure.ConnectionRefused ? 0 : remote.Requests;
        if (failure == DestinationFailure.ConnectionRefused)
        {
            remote = await LoopbackRemote.StartAsync(name, port);
        }

        await using var _ = remote;
        var delivered = new ConcurrentQueue<string>();
        remote.Handler = context => ReceiveAsync(context, delivered);
        var lag = elapsed + waits[^1] - down;
        harness.Time.Advance(waits[^1]);
        await harness.Get<OutboundPdus>().WaitUntilSentAsync(name, last.EventId, CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(Enumerable.Range(1, waits.Count).Select(schedule.DelayAfter), waits);
        var bound = schedule.MostAttemptsWithin(down);
        Assert.InRange(waits.Count, 2, bound);
        if (failure != DestinationFailure.ConnectionRefused)
        {
            // One request per attempt: nothing retried inside an attempt behind the schedule's back.
            Assert.Equal(waits.Count, requestsWhileDown);
            Assert.Equal(waits.Count + 1, remote.Requests);
        }

        Assert.False(nextBackOff.IsCompleted);
        Assert.Equal(queued, delivered);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{failure}, down {down.TotalMinutes:F0} min: {waits.Count} attempts while down (bound {bound}), " +
            $"{(failure == DestinationFailure.ConnectionRefused ? "every connection refused" : $"{requestsWhileDown} requests received")}, " +
            $"{queued.Count} events queued, all delivered once {lag.TotalSeconds:F0} s after it returned (longest wait {waits.Max().TotalSeconds:F0} s)"));
    }

    [Fact]
    public async Task A_destination_heard_from_while_we_back_off_gets_its_events_at_once_not_at_the_end_of_the_wait()
    {
        const string name = "returning.test";
        await using var remote = await LoopbackRemote.StartAsync(name);
        await using var harness = new LocalHarness(
            database.ConnectionString, "local-returning.test", new Dictionary<string, string?> { [$"FederationClient:Destinations:{name}"] = remote.BaseAddress.ToString() });
        var roomId = await harness.Get<RoomCreator>().CreateAsync(harness.User("alice"), new CreateRoomRequest { Preset = "public_chat" }, CancellationToken.None);
        await RemoteMembers.JoinAsync(harness, remote.Identity, roomId, "zoe");
        remote.Handler = _ => Task.FromResult(Results.Json(new { errcode = "M_UNKNOWN", error = "down" }, statusCode: 503));
        var wakeups = harness.Get<OutboundWakeups>();
        var backingOff = wakeups.NextBackOff(name);
        await harness.StartSenderAsync();
        var queued = new List<string>();
        var last = await SayAsync(harness, roomId, queued);
        var wait = await backingOff.WaitAsync(Patience);

        var delivered = new ConcurrentQueue<string>();
        remote.Handler = context => ReceiveAsync(context, delivered);
        wakeups.ServerUp(name);
        await harness.Get<OutboundPdus>().WaitUntilSentAsync(name, last.EventId, CancellationToken.None).WaitAsync(Patience);

        Assert.True(wait > TimeSpan.Zero);
        Assert.Equal(queued, delivered);
        Assert.Equal(2, remote.Requests);
    }

    private static async Task<Pdu> SayAsync(LocalHarness harness, string roomId, List<string> queued)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"m{queued.Count}");
        queued.Add(text);
        return await harness.Get<LocalEventBuilder>().CreateAsync(
            roomId, harness.User("alice"), EventTypes.Message, null, new JsonObject { ["body"] = text }, CancellationToken.None);
    }

    private static async Task<IResult> HoldAsync(HttpContext context, SemaphoreSlim arrived)
    {
        arrived.Release();
        try
        {
            await new TaskCompletionSource().Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // Our side gave up on the attempt.
        }

        return Results.Empty;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, ConcurrentQueue<string> delivered)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        foreach (var pdu in body.RootElement.GetProperty("pdus").EnumerateArray())
        {
            delivered.Enqueue(pdu.GetProperty("content").GetProperty("body").GetString()!);
        }

        return Results.Json(new { pdus = new { } });
    }
}
