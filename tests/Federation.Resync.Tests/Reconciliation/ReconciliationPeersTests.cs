using Federation.Resync.Reconciliation;
using Federation.Testing.Time;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Tests.Reconciliation;

public sealed class ReconciliationPeersTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly ReconciliationOptions _options = new() { Interval = TimeSpan.FromMinutes(5), Jitter = TimeSpan.FromSeconds(30) };

    private ReconciliationPeers NewPeers() => new(Options.Create(_options), _time, new Random(1));

    [Fact]
    public void Resident_servers_become_due_within_the_jitter_and_again_an_interval_after_each_exchange()
    {
        var peers = NewPeers();
        peers.SetResidents("!r:x", new HashSet<string> { "b.test" });
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(["b.test"], peers.Due().Select(p => p.Server));

        peers.Exchanged("!r:x", "b.test");
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromSeconds(1));
        Assert.Empty(peers.Due());
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Single(peers.Due());
    }

    [Fact]
    public void Paused_and_unsupported_peers_are_not_due()
    {
        var peers = NewPeers();
        peers.SetResidents("!r:x", new HashSet<string> { "b.test", "c.test" });
        peers.Pause("!r:x", "b.test");
        peers.MarkUnsupported("c.test");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(peers.Due());

        peers.Resume("!r:x", "b.test");
        _time.Advance(_options.UnsupportedBackOff);
        Assert.Equal(["b.test", "c.test"], peers.Due().Select(p => p.Server).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Servers_that_leave_are_dropped_but_peers_added_by_hand_stay_with_their_interval()
    {
        var peers = NewPeers();
        peers.SetResidents("!r:x", new HashSet<string> { "b.test" });
        peers.Add("!r:x", "archive.test", TimeSpan.FromHours(1));
        peers.SetResidents("!r:x", new HashSet<string>());

        var only = Assert.Single(peers.All());
        Assert.Equal("archive.test", only.Server);
        Assert.Equal(TimeSpan.FromHours(1), only.Interval);
        Assert.True(peers.Remove("!r:x", "archive.test"));
        Assert.Empty(peers.All());
    }
}
