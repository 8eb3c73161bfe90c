using System.Text.Json.Nodes;
using Federation.Ingest;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;
using Federation.Resync.Reconciliation;
using Federation.Resync.Tests.Servers;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Microsoft.Extensions.DependencyInjection;

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

    private static SignedRoomBuilder OpenRoom(TwoServers servers)
    {
        var room = new SignedRoomBuilder(RoomVersion.Get("10"), servers.Peer.Identity, servers.Ours.Identity)
            .CreatePublicRoom($"@bob:{servers.Peer.Identity.ServerName}");
        room.Join($"@alice:{servers.Ours.Identity.ServerName}");
        return room;
    }

    private static DagStore Store(OurServer server) => server.Services.GetRequiredService<DagStore>();

    private static EventSetReconciler Reconciler(OurServer server) => server.Services.GetRequiredService<EventSetReconciler>();

    private static async Task<bool> HoldsAsync(OurServer server, string roomId, string eventId) =>
        (await Store(server).GetEventsAsync(roomId, [eventId])).Count == 1;

    /// <summary>
    /// Stores <paramref name="events"/> (each with one prev) as a server that accepted them: the state after the prev
    /// where it is held, else the state before the event as <paramref name="complete"/> holds it (as a hole filled
    /// with the right state would).
    /// </summary>
    private static async Task StoreAsync(DagStore store, IReadOnlyList<Pdu> events, DagStore complete)
    {
        var stored = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pdu in events)
        {
            var before = pdu.PrevEvents.Count == 0 ? StateBefore.Full(new Dictionary<StateSlot, string>())
                : stored.Contains(pdu.PrevEvents[0]) ? StateBefore.SameAsAfter(pdu.PrevEvents[0])
                : StateBefore.Full((await complete.GetStateAsync(pdu.RoomId, pdu.EventId, StatePosition.Before))!);
            await store.PersistEventsAsync([new EventToPersist(pdu) { StateBefore = before }]);
            stored.Add(pdu.EventId);
        }
    }

    private static async Task AssertSameEventsAndStateAsync(TwoServers servers, string roomId, IEnumerable<Pdu> reconciled)
    {
        var ours = (await Store(servers.Ours).GetReconciliationItemsAsync(roomId, ReconcileScope.All))!.Value.Items;
        var peer = (await Store(servers.Peer).GetReconciliationItemsAsync(roomId, ReconcileScope.All))!.Value.Items;
        Assert.Equal(Enumerable.Range(0, peer.Count).Select(i => peer[i]), Enumerable.Range(0, ours.Count).Select(i => ours[i]));
        foreach (var pdu in reconciled)
        {
            Assert.Equal(
                (await Store(servers.Peer).GetStateIdsAsync(roomId, pdu.EventId, StatePosition.After))!.Order(StringComparer.Ordinal),
                (await Store(servers.Ours).GetStateIdsAsync(roomId, pdu.EventId, StatePosition.After))!.Order(StringComparer.Ordinal));
        }

        Assert.Equal(
            (await Store(servers.Peer).GetForwardExtremitiesAsync(roomId)).Order(StringComparer.Ordinal),
            (await Store(servers.Ours).GetForwardExtremitiesAsync(roomId)).Order(StringComparer.Ordinal));
    }
}
