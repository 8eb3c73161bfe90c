using System.Text.Json.Nodes;
using Federation.Client.Reconciliation;
using Federation.Ingest;
using Federation.Protocol.Events;
using Federation.Resync.Tests.Servers;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Microsoft.Extensions.DependencyInjection;
using static Federation.Resync.Tests.Servers.RoomOnServers;

namespace Federation.Resync.Tests.Reconciliation;

/// <summary>
/// An event pushed to our server after a gap of ~100 events it never got, from a peer running our own server code: one
/// full <c>/get_missing_events</c> answer does not reach what we hold, so the gap is closed by reconciling the gap's
/// window with the peer, not by fetching the state at the missing prevs.
/// </summary>
public sealed class ReconcilingGapFillerTests(TwoDatabases databases) : IClassFixture<TwoDatabases>
{
    private const string MissingEvents = "/get_missing_events/";
    private const string StateIds = "/state_ids/";
    private const string Reconcile = "/" + ReconcileEndpoint.UnstableNamespace + "/reconcile/";

    [Fact]
    public async Task A_gap_longer_than_one_missing_events_answer_is_closed_by_one_reconciliation_with_the_peers_state()
    {
        using var servers = new TwoServers(databases.First, databases.Second, "a4.test", "b4.test");
        var (room, gap, pushed) = await GapAsync(servers);

        var (_, outcome) = await Ingestor(servers.Ours).ReceivePushedAsync("b4.test", pushed.Json, CancellationToken.None);

        Assert.Equal(PduDisposition.Accepted, outcome.Disposition);
        Assert.Equal(1, servers.Peer.Requests.Count(MissingEvents));
        Assert.InRange(servers.Peer.Requests.Count(Reconcile), 1, 3);
        Assert.Equal(0, servers.Peer.Requests.Count(StateIds));
        await AssertSameEventsAndStateAsync(servers, room.RoomId, [.. gap, pushed]);
        Assert.Equal(
            (await Store(servers.Peer).GetStateFingerprintAsync(room.RoomId, pushed.EventId, StatePosition.After))!.Digest,
            (await Store(servers.Ours).GetStateFingerprintAsync(room.RoomId, pushed.EventId, StatePosition.After))!.Digest);
    }

    [Fact]
    public async Task A_peer_without_the_reconcile_endpoint_gets_the_state_at_the_missing_prevs_asked_instead()
    {
        using var servers = new TwoServers(databases.First, databases.Second, "a5.test", "b5.test");
        servers.Peer.Requests.Refuse(Reconcile);
        var (room, gap, pushed) = await GapAsync(servers);

        var (_, outcome) = await Ingestor(servers.Ours).ReceivePushedAsync("b5.test", pushed.Json, CancellationToken.None);

        Assert.Equal(PduDisposition.Accepted, outcome.Disposition);
        Assert.Equal(1, servers.Peer.Requests.Count(MissingEvents));
        Assert.Equal(1, servers.Peer.Requests.Count(Reconcile));
        Assert.Equal(1, servers.Peer.Requests.Count(StateIds));
        Assert.False(await HoldsWithStateAsync(servers.Ours, room.RoomId, gap[0].EventId));
        Assert.Equal(
            (await Store(servers.Peer).GetStateIdsAsync(room.RoomId, pushed.EventId, StatePosition.After))!.Order(StringComparer.Ordinal),
            (await Store(servers.Ours).GetStateIdsAsync(room.RoomId, pushed.EventId, StatePosition.After))!.Order(StringComparer.Ordinal));

        // A second large gap: the peer is not asked to reconcile again while it backs off as unsupported.
        var secondGap = Enumerable.Range(0, 20).Select(i => room.Message("@bob:b5.test", $"second gap {i}")).ToList();
        var next = room.Message("@bob:b5.test", "after the second gap");
        foreach (var pdu in secondGap.Append(next))
        {
            await Store(servers.Peer).PersistEventsAsync([new EventToPersist(pdu) { StateBefore = StateBefore.SameAsAfter(pdu.PrevEvents[0]) }]);
        }

        var (_, nextOutcome) = await Ingestor(servers.Ours).ReceivePushedAsync("b5.test", next.Json, CancellationToken.None);

        Assert.Equal(PduDisposition.Accepted, nextOutcome.Disposition);
        Assert.Equal(2, servers.Peer.Requests.Count(MissingEvents));
        Assert.Equal(1, servers.Peer.Requests.Count(Reconcile));
        Assert.Equal(2, servers.Peer.Requests.Count(StateIds));
    }

    /// <summary>
    /// Both servers hold the room's opening and a few messages; then the peer alone gets 100 events (messages, and a
    /// topic change every 25, so the state moves along the gap), and the event after them is the one pushed to us.
    /// </summary>
    private static async Task<(SignedRoomBuilder Room, IReadOnlyList<Pdu> Gap, Pdu Pushed)> GapAsync(TwoServers servers)
    {
        var bob = $"@bob:{servers.Peer.Identity.ServerName}";
        var room = OpenRoom(servers);
        for (var i = 0; i < 5; i++)
        {
            room.Message(bob, $"before {i}");
        }

        var shared = room.Events.ToList();
        var gap = Enumerable.Range(0, 100)
            .Select(i => i % 25 == 0 ? room.Add(bob, EventTypes.Topic, "", new JsonObject { ["topic"] = $"topic {i}" }) : room.Message(bob, $"gap {i}"))
            .ToList();
        var pushed = room.Message(bob, "pushed");
        await StoreAsync(Store(servers.Peer), room.Events, Store(servers.Peer));
        await StoreAsync(Store(servers.Ours), shared, Store(servers.Peer));
        return (room, gap, pushed);
    }

    private static PduIngestor Ingestor(OurServer server) => server.Services.GetRequiredService<PduIngestor>();

    private static async Task<bool> HoldsWithStateAsync(OurServer server, string roomId, string eventId) =>
        (await Store(server).GetEventsAsync(roomId, [eventId])) is [{ IsOutlier: false }];
}
