using System.Text.Json.Nodes;
using Federation.Ingest;
using Federation.Protocol.Events;
using Federation.Resync.Core.Reconciliation;
using Federation.Resync.Reconciliation;
using Federation.Resync.Tests.Servers;
using Microsoft.Extensions.DependencyInjection;
using static Federation.Resync.Tests.Servers.RoomOnServers;

namespace Federation.Resync.Tests.Reconciliation;

/// <summary>
/// Two of our servers over loopback HTTP, each on its own Postgres database, hold different parts of one room; after
/// each reconciles with the other they hold the same events, with the state normal ingest gives them.
/// </summary>
public sealed class EventSetReconcilerTests(TwoDatabases databases) : IClassFixture<TwoDatabases>
{
    [Fact]
    public async Task Scattered_missing_events_are_fetched_and_the_event_we_alone_hold_is_reported_then_pulled_by_the_peer()
    {
        using var servers = new TwoServers(databases.First, databases.Second, "a1.test", "b1.test");
        var room = OpenRoom(servers);
        for (var i = 0; i < 400; i++)
        {
            _ = i % 50 == 0
                ? room.Add("@bob:b1.test", EventTypes.Topic, "", new JsonObject { ["topic"] = $"topic {i}" })
                : room.Message("@bob:b1.test", $"message {i}");
        }

        // 1 % of the history, scattered (messages: events stored after a lost state event would carry a hole's state).
        var opening = room.Events.Count - 400;
        var dropped = new[] { 37, 151, 251, 388 }.Select(i => room.Events[opening + i]).ToList();
        var peerHolds = room.Events.ToList();
        var oursAlone = room.Message("@alice:a1.test", "only on a1");
        await StoreAsync(Store(servers.Peer), peerHolds, Store(servers.Peer));
        await StoreAsync(Store(servers.Ours), [.. peerHolds.Except(dropped), oursAlone], Store(servers.Peer));

        var report = await Reconciler(servers.Ours).ReconcileAsync(room.RoomId, "b1.test", ReconcileScope.All, CancellationToken.None);

        Assert.Equal(ReconciliationStatus.Completed, report.Status);
        Assert.InRange(report.Rounds, 1, 3);
        Assert.Equal(4, report.NeedCount);
        Assert.Equal([oursAlone.EventId], report.HaveEventIds);
        Assert.Equal(dropped.Select(e => e.EventId), report.Ingested.Select(i => i.EventId));
        Assert.All(report.Ingested, i => Assert.Equal(PduDisposition.Accepted, i.Outcome.Disposition));
        Assert.False(await HoldsAsync(servers.Peer, room.RoomId, oursAlone.EventId));

        var back = await Reconciler(servers.Peer).ReconcileAsync(room.RoomId, "a1.test", ReconcileScope.All, CancellationToken.None);

        Assert.Equal(ReconciliationStatus.Completed, back.Status);
        Assert.Equal([oursAlone.EventId], back.Ingested.Select(i => i.EventId));
        await AssertSameEventsAndStateAsync(servers, room.RoomId, [.. dropped, oursAlone]);
    }

    [Fact]
    public async Task A_fork_whose_tip_never_reached_us_is_found_and_stored_with_its_state()
    {
        using var servers = new TwoServers(databases.First, databases.Second, "a2.test", "b2.test");
        var room = OpenRoom(servers);
        for (var i = 0; i < 100; i++)
        {
            room.Message("@bob:b2.test", $"main {i}");
        }

        var main = room.Events.ToList();
        var forkPoint = main[^50];
        var fork = new List<Pdu>
        {
            room.Add("@bob:b2.test", EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "fork 0" }, [forkPoint.EventId]),
            room.Add("@bob:b2.test", EventTypes.Topic, "", new JsonObject { ["topic"] = "from the fork" }),
        };
        fork.AddRange(Enumerable.Range(1, 3).Select(i => room.Message("@bob:b2.test", $"fork {i}")));
        await StoreAsync(Store(servers.Peer), [.. main, .. fork], Store(servers.Peer));
        await StoreAsync(Store(servers.Ours), main, Store(servers.Peer));

        var report = await Reconciler(servers.Ours).ReconcileAsync(room.RoomId, "b2.test", ReconcileScope.All, CancellationToken.None);

        Assert.Equal(ReconciliationStatus.Completed, report.Status);
        Assert.Equal(fork.Select(e => e.EventId), report.Ingested.Select(i => i.EventId));
        Assert.All(report.Ingested, i => Assert.Equal(PduDisposition.Accepted, i.Outcome.Disposition));
        Assert.Empty(report.HaveEventIds);
        Assert.Equal(
            new[] { main[^1].EventId, fork[^1].EventId }.Order(StringComparer.Ordinal),
            (await Store(servers.Ours).GetForwardExtremitiesAsync(room.RoomId)).Order(StringComparer.Ordinal));
        await AssertSameEventsAndStateAsync(servers, room.RoomId, fork);
    }

    [Fact]
    public async Task A_peer_without_the_endpoint_is_reported_unsupported()
    {
        using var servers = new TwoServers(databases.First, databases.Second, "a3.test", "b3.test");
        var room = OpenRoom(servers);
        await StoreAsync(Store(servers.Ours), room.Events, Store(servers.Ours));

        // The peer does not hold the room: it answers 403, a failure, not "unsupported".
        var refused = await Reconciler(servers.Ours).ReconcileAsync(room.RoomId, "b3.test", ReconcileScope.All, CancellationToken.None);
        Assert.Equal(ReconciliationStatus.Failed, refused.Status);

        var unknownPeer = await Reconciler(servers.Ours).ReconcileAsync(room.RoomId, "nowhere.invalid", ReconcileScope.All, CancellationToken.None);
        Assert.Equal(ReconciliationStatus.Failed, unknownPeer.Status);
        Assert.Equal(1, unknownPeer.Rounds);
    }

    private static EventSetReconciler Reconciler(OurServer server) => server.Services.GetRequiredService<EventSetReconciler>();

    private static async Task<bool> HoldsAsync(OurServer server, string roomId, string eventId) =>
        (await Store(server).GetEventsAsync(roomId, [eventId])).Count == 1;
}
