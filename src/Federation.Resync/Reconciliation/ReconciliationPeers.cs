using Microsoft.Extensions.Options;

namespace Federation.Resync.Reconciliation;

/// <summary>
/// Who the periodic exchange reconciles each room with, and when: the room's resident servers (kept up to date by
/// <see cref="AntiEntropyService"/>) and peers added by hand, each pausable and with its own interval; a first
/// exchange happens at a random point within the jitter, each next one an interval plus jitter after the last. A
/// server that does not serve the endpoint is left alone for <see cref="ReconciliationOptions.UnsupportedBackOff"/>
/// in every room. Thread-safe.
/// </summary>
public sealed class ReconciliationPeers(IOptions<ReconciliationOptions> options, TimeProvider time, Random random)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string RoomId, string Server), PeerSchedule> _peers = [];
    private readonly Dictionary<string, DateTimeOffset> _unsupportedUntil = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="server"/> as a peer of <paramref name="roomId"/> (or sets its interval), kept until removed.</summary>
    public void Add(string roomId, string server, TimeSpan? interval = null)
    {
        lock (_lock)
        {
            _peers[(roomId, server)] = _peers.TryGetValue((roomId, server), out var known)
                ? known with { AddedByHand = true, Interval = interval }
                : new PeerSchedule(roomId, server, AddedByHand: true, Paused: false, interval, FirstDue());
        }
    }

    /// <summary>Stops exchanging with <paramref name="server"/> about <paramref name="roomId"/>; a resident server comes back
    /// at the next look at the room's residents unless paused instead.</summary>
    public bool Remove(string roomId, string server)
    {
        lock (_lock)
        {
            return _peers.Remove((roomId, server));
        }
    }

    public bool Pause(string roomId, string server) => Update(roomId, server, p => p with { Paused = true });

    public bool Resume(string roomId, string server) => Update(roomId, server, p => p with { Paused = false });

    /// <summary>Leaves <paramref name="server"/> alone in every room for the back-off (it does not serve the endpoint).</summary>
    public void MarkUnsupported(string server)
    {
        lock (_lock)
        {
            _unsupportedUntil[server] = time.GetUtcNow() + options.Value.UnsupportedBackOff;
        }
    }

    /// <summary>Whether <paramref name="server"/> is being left alone for not serving the endpoint.</summary>
    public bool IsUnsupported(string server)
    {
        lock (_lock)
        {
            return _unsupportedUntil.TryGetValue(server, out var until) && until > time.GetUtcNow();
        }
    }

    /// <summary>Makes the resident servers of <paramref name="roomId"/> its peers: new ones are added, those gone are dropped
    /// (peers added by hand stay).</summary>
    public void SetResidents(string roomId, IReadOnlySet<string> residents)
    {
        ArgumentNullException.ThrowIfNull(residents);
        lock (_lock)
        {
            foreach (var gone in _peers.Values.Where(p => p.RoomId == roomId && !p.AddedByHand && !residents.Contains(p.Server)).ToList())
            {
                _peers.Remove((gone.RoomId, gone.Server));
            }

            foreach (var server in residents)
            {
                _peers.TryAdd((roomId, server), new PeerSchedule(roomId, server, AddedByHand: false, Paused: false, Interval: null, FirstDue()));
            }
        }
    }

    /// <summary>The peers due now: not paused, not backing off as unsupported, oldest due first.</summary>
    public IReadOnlyList<PeerSchedule> Due()
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            return [.. _peers.Values
                .Where(p => !p.Paused && p.NextDue <= now && !(_unsupportedUntil.TryGetValue(p.Server, out var until) && until > now))
                .OrderBy(p => p.NextDue)];
        }
    }

    /// <summary>Schedules the next exchange with the peer an interval plus jitter from now.</summary>
    public void Exchanged(string roomId, string server) =>
        Update(roomId, server, p => p with { NextDue = time.GetUtcNow() + (p.Interval ?? options.Value.Interval) + Jitter() });

    public IReadOnlyList<PeerSchedule> All()
    {
        lock (_lock)
        {
            return [.. _peers.Values.OrderBy(p => p.RoomId, StringComparer.Ordinal).ThenBy(p => p.Server, StringComparer.Ordinal)];
        }
    }

    private bool Update(string roomId, string server, Func<PeerSchedule, PeerSchedule> change)
    {
        lock (_lock)
        {
            if (!_peers.TryGetValue((roomId, server), out var known))
            {
                return false;
            }

            _peers[(roomId, server)] = change(known);
            return true;
        }
    }

    private DateTimeOffset FirstDue() => time.GetUtcNow() + Jitter();

    private TimeSpan Jitter()
    {
        lock (random)
        {
            return options.Value.Jitter * random.NextDouble();
        }
    }
}
