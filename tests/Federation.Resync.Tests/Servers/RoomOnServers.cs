using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Resync.Tests.Servers;

/// <summary>Seeding our test servers with a room's events, and comparing what two of them hold.</summary>
public static class RoomOnServers
{
    /// <summary>A public room made by Bob on the peer, joined by Alice on our server.</summary>
    public static SignedRoomBuilder OpenRoom(TwoServers servers)
    {
        var room = new SignedRoomBuilder(RoomVersion.Get("10"), servers.Peer.Identity, servers.Ours.Identity)
            .CreatePublicRoom($"@bob:{servers.Peer.Identity.ServerName}");
        room.Join($"@alice:{servers.Ours.Identity.ServerName}");
        return room;
    }

    public static DagStore Store(OurServer server) => server.Services.GetRequiredService<DagStore>();

    /// <summary>
    /// Stores <paramref name="events"/> (each with one prev) as a server that accepted them: the state after the prev
    /// where it is held, else the state before the event as <paramref name="complete"/> holds it (as a hole filled
    /// with the right state would).
    /// </summary>
    public static async Task StoreAsync(DagStore store, IReadOnlyList<Pdu> events, DagStore complete)
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

    /// <summary>Both servers hold the same events of the room, the same state after each of <paramref name="compared"/>
    /// and the same forward extremities.</summary>
    public static async Task AssertSameEventsAndStateAsync(TwoServers servers, string roomId, IEnumerable<Pdu> compared)
    {
        var ours = (await Store(servers.Ours).GetReconciliationItemsAsync(roomId, ReconcileScope.All))!.Value.Items;
        var peer = (await Store(servers.Peer).GetReconciliationItemsAsync(roomId, ReconcileScope.All))!.Value.Items;
        Assert.Equal(Enumerable.Range(0, peer.Count).Select(i => peer[i]), Enumerable.Range(0, ours.Count).Select(i => ours[i]));
        foreach (var pdu in compared)
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
