using System.Text.Json.Nodes;
using Federation.Client.Reconciliation;
using Federation.Protocol.Events;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Divergence;
using Federation.Resync.Divergence;
using Federation.Resync.Reconciliation;
using Federation.Resync.Tests.Servers;
using Federation.Storage.Dag;
using Federation.Testing.Events;
using Microsoft.Extensions.DependencyInjection;
using static Federation.Resync.Tests.Servers.RoomOnServers;

namespace Federation.Resync.Tests.Divergence;

/// <summary>
/// Three of our servers in one room that forked at Dan's join: a topic branch, and a branch where Alice bans Dan. The
/// first two servers hold both branches and a merge after them; the third never got the ban branch: it stored the
/// merge across the hole with the topic branch's state only, and the ban branch's last event, which nothing it holds
/// references, is unknown to it. Its probe finds it in the minority; the repair fetches the ban branch as events.
/// </summary>
public sealed class DivergenceRepairTests(ThreeDatabases databases) : IClassFixture<ThreeDatabases>
{
    private const string Reconcile = "/" + ReconcileEndpoint.UnstableNamespace + "/reconcile/";

    [Fact]
    public async Task A_server_in_the_minority_ingests_the_ban_it_never_got_and_ends_with_the_majoritys_current_state()
    {
        using var servers = new ThreeServers(databases, "a7.test", "b7.test", "c7.test");
        var fork = await ForkAsync(servers);
        var third = Store(servers.Third);
        Assert.NotEqual(await CurrentDigestAsync(servers.First, fork.RoomId), await CurrentDigestAsync(servers.Third, fork.RoomId));

        var report = (await Detector(servers.Third).ProbeAsync(fork.RoomId, fork.Last.EventId, CancellationToken.None))!;

        Assert.Equal(DivergenceClass.WeAreMinority, report.Verdict.Class);
        Assert.Equal(["a7.test", "b7.test"], report.Verdict.MajorityServers.Order(StringComparer.Ordinal));
        Assert.Equal(fork.Merge.EventId, report.Bisection!.FirstDivergent);
        var repair = report.Repair!;
        Assert.Equal(DivergenceRepairOutcome.Converged, repair.Outcome);
        var attempt = Assert.Single(repair.Attempts);
        Assert.Equal(report.BisectedPeer, attempt.Peer);
        Assert.Equal(ReconciliationStatus.Completed, attempt.Status);
        Assert.Equal(fork.BanBranch.Count, attempt.NeedCount);
        Assert.Equal(fork.BanBranch.Count, attempt.Stored);
        Assert.Equal(DivergenceClass.InSync, repair.VerdictAfter!.Class);

        var ban = Assert.Single(await third.GetEventsAsync(fork.RoomId, [fork.BanBranch[0].EventId]));
        Assert.Equal(EventStatus.Accepted, ban.Status);
        Assert.False(ban.IsOutlier);
        Assert.Contains(fork.BanBranch[^1].EventId, await third.GetForwardExtremitiesAsync(fork.RoomId));
        Assert.Equal(await CurrentDigestAsync(servers.First, fork.RoomId), await CurrentDigestAsync(servers.Third, fork.RoomId));
        Assert.Equal(await CurrentDigestAsync(servers.Second, fork.RoomId), await CurrentDigestAsync(servers.Third, fork.RoomId));

        var stored = (await Reports(servers.Third).LatestAsync(fork.RoomId, CancellationToken.None))!;
        Assert.Equal("we_are_minority", stored.Class);
        Assert.Equal(fork.Merge.EventId, stored.FirstDivergentEventId);
        Assert.Equal("converged", stored.RepairOutcome);
        Assert.Equal(fork.BanBranch.Count, stored.Report["repair"]!["attempts"]![0]!["stored"]!.GetValue<int>());

        // The state stored after the probe event is never rewritten, so the next probe still finds us in the minority
        // there; the room's repair allowance keeps it from reconciling again within the probe interval.
        var reconciles = ReconcileRequests(servers);
        var again = (await Detector(servers.Third).ProbeAsync(fork.RoomId, fork.Last.EventId, CancellationToken.None))!;
        Assert.Equal(DivergenceClass.WeAreMinority, again.Verdict.Class);
        Assert.Null(again.Repair);
        Assert.Equal(reconciles, ReconcileRequests(servers));
        Assert.Equal(2, (await Reports(servers.Third).HistoryAsync(fork.RoomId, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Majority_servers_without_set_reconciliation_leave_our_state_alone_and_are_marked_unsupported()
    {
        using var servers = new ThreeServers(databases, "a8.test", "b8.test", "c8.test");
        servers.First.Requests.Refuse(Reconcile);
        servers.Second.Requests.Refuse(Reconcile);
        var fork = await ForkAsync(servers);
        var before = await CurrentDigestAsync(servers.Third, fork.RoomId);

        var report = (await Detector(servers.Third).ProbeAsync(fork.RoomId, fork.Last.EventId, CancellationToken.None))!;

        Assert.Equal(DivergenceClass.WeAreMinority, report.Verdict.Class);
        Assert.Equal(DivergenceRepairOutcome.Unsupported, report.Repair!.Outcome);
        Assert.Equal(["a8.test", "b8.test"], report.Repair.Attempts.Select(a => a.Peer).Order(StringComparer.Ordinal));
        Assert.All(report.Repair.Attempts, a => Assert.Equal(ReconciliationStatus.Unsupported, a.Status));
        Assert.Null(report.Repair.VerdictAfter);
        Assert.Equal(before, await CurrentDigestAsync(servers.Third, fork.RoomId));
        Assert.Empty(await Store(servers.Third).GetEventsAsync(fork.RoomId, [fork.BanBranch[0].EventId]));
        var peers = servers.Third.Services.GetRequiredService<ReconciliationPeers>();
        Assert.True(peers.IsUnsupported("a8.test"));
        Assert.True(peers.IsUnsupported("b8.test"));
        Assert.Equal("unsupported", (await Reports(servers.Third).LatestAsync(fork.RoomId, CancellationToken.None))!.RepairOutcome);
    }

    [Fact]
    public async Task A_state_stored_wrong_above_events_we_hold_is_not_repaired_by_adopting_the_majoritys_and_stays_an_alert()
    {
        using var servers = new ThreeServers(databases, "a9.test", "b9.test", "c9.test");
        var fork = await ForkAsync(servers, thirdGotTheBanBranch: true, banBranchHasTip: false);
        var before = await CurrentDigestAsync(servers.Third, fork.RoomId);

        var report = (await Detector(servers.Third).ProbeAsync(fork.RoomId, fork.Last.EventId, CancellationToken.None))!;

        Assert.Equal(DivergenceClass.WeAreMinority, report.Verdict.Class);
        Assert.Equal(fork.Merge.EventId, report.Bisection!.FirstDivergent);
        Assert.Equal(DivergenceRepairOutcome.NothingToFetch, report.Repair!.Outcome);
        var attempt = Assert.Single(report.Repair.Attempts);
        Assert.Equal(ReconciliationStatus.Completed, attempt.Status);
        Assert.Equal(0, attempt.NeedCount);
        Assert.Equal(DivergenceClass.WeAreMinority, report.Repair.VerdictAfter!.Class);
        Assert.Equal(before, await CurrentDigestAsync(servers.Third, fork.RoomId));
        Assert.NotEqual(await CurrentDigestAsync(servers.First, fork.RoomId), before);
    }

    private static int ReconcileRequests(ThreeServers servers) => servers.First.Requests.Count(Reconcile) + servers.Second.Requests.Count(Reconcile);

    /// <summary>
    /// Alice (first server) creates the room; Bea and Dan (second) and Cid (third) join. From Dan's join: a topic
    /// branch (Alice's topic, two messages of Cid) and a ban branch (Alice bans Dan, two messages of Alice, and a tip
    /// from Bea unless <paramref name="banBranchHasTip"/> is false); Alice's merge names the topic branch's tip and the
    /// ban branch's third event, and her last message follows it. The first two servers hold everything, the merge
    /// with the resolution of both branches before it; the third holds the merge with the topic branch's state, and
    /// the ban branch only if <paramref name="thirdGotTheBanBranch"/>.
    /// </summary>
    private static async Task<Fork> ForkAsync(ThreeServers servers, bool thirdGotTheBanBranch = false, bool banBranchHasTip = true)
    {
        string User(OurServer server, string name) => $"@{name}:{server.Identity.ServerName}";
        var (alice, bea, cid, dan) = (User(servers.First, "alice"), User(servers.Second, "bea"), User(servers.Third, "cid"), User(servers.Second, "dan"));
        var room = new SignedRoomBuilder(RoomVersion.Get("10"), servers.First.Identity, servers.Second.Identity, servers.Third.Identity)
            .CreatePublicRoom(alice);
        room.Join(bea);
        room.Join(cid);
        var forkPoint = room.Join(dan);
        var topic = room.Add(alice, EventTypes.Topic, "", new JsonObject { ["topic"] = "while Dan is here" });
        room.Message(cid, "topic branch 1");
        var topicTip = room.Message(cid, "topic branch 2");
        var banBranch = new List<Pdu>
        {
            room.Add(alice, EventTypes.Member, dan, new JsonObject { ["membership"] = "ban" }, prevEvents: [forkPoint.EventId]),
            room.Message(alice, "ban branch 1"),
            room.Message(alice, "ban branch 2"),
        };
        if (banBranchHasTip)
        {
            banBranch.Add(room.Message(bea, "ban branch tip"));
        }

        var merge = room.Add(
            alice, EventTypes.Message, null, new JsonObject { ["msgtype"] = "m.text", ["body"] = "merge" }, prevEvents: [topicTip.EventId, banBranch[2].EventId]);
        room.Message(alice, "after the merge");

        foreach (var majority in new[] { servers.First, servers.Second })
        {
            foreach (var pdu in room.Events)
            {
                var before = pdu.PrevEvents.Count == 0 ? StateBefore.Full(new Dictionary<StateSlot, string>())
                    : pdu == merge ? StateBefore.Delta(banBranch[2].EventId, new Dictionary<StateSlot, string?> { [new(EventTypes.Topic, "")] = topic.EventId })
                    : StateBefore.SameAsAfter(pdu.PrevEvents[0]);
                await Store(majority).PersistEventsAsync([new EventToPersist(pdu) { StateBefore = before }]);
            }
        }

        await StoreAsync(Store(servers.Third), [.. thirdGotTheBanBranch ? room.Events : room.Events.Except(banBranch)], Store(servers.First));
        return new Fork(room.RoomId, banBranch, merge, room.Last);
    }

    private static DivergenceDetector Detector(OurServer server) => server.Services.GetRequiredService<DivergenceDetector>();

    private static DivergenceReportStore Reports(OurServer server) => server.Services.GetRequiredService<DivergenceReportStore>();

    private static async Task<string> CurrentDigestAsync(OurServer server, string roomId) =>
        (await server.Services.GetRequiredService<CurrentFingerprintReader>().ReadAsync(roomId, CancellationToken.None))!.Fingerprint.Digest.ToString();

    private sealed record Fork(string RoomId, IReadOnlyList<Pdu> BanBranch, Pdu Merge, Pdu Last);
}
