using System.Security.Cryptography;
using System.Text;

namespace Federation.Resync.Core.Holes;

/// <summary>
/// The servers asked for a hole (a missing event), in order: where the event came from first, then the servers that
/// referenced it, then the room's other residents ranked by hash distance to the event, so that different holes are
/// spread over different servers, the same way after every restart.
/// </summary>
public static class HoleRepairPeers
{
    /// <summary>
    /// The candidates for <paramref name="holeEventId"/>, each server once and never <paramref name="ourServer"/>.
    /// </summary>
    /// <param name="holeEventId">The missing event.</param>
    /// <param name="eventIdServer">The server named in the event id (room versions 1 and 2), else null: it created
    /// the event.</param>
    /// <param name="childSenderServers">Servers of the senders of the held events that reference the hole, the first
    /// referrer first: the first one held the event when it sent its child.</param>
    /// <param name="residents">The room's other resident servers, in any order.</param>
    /// <param name="ourServer">This server's name.</param>
    public static IReadOnlyList<string> Order(
        string holeEventId, string? eventIdServer, IEnumerable<string> childSenderServers, IEnumerable<string> residents, string ourServer)
    {
        ArgumentNullException.ThrowIfNull(childSenderServers);
        ArgumentNullException.ThrowIfNull(residents);
        var ordered = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { ourServer };
        foreach (var server in (eventIdServer is null ? [] : new[] { eventIdServer }).Concat(childSenderServers))
        {
            if (seen.Add(server))
            {
                ordered.Add(server);
            }
        }

        var hole = SHA256.HashData(Encoding.UTF8.GetBytes(holeEventId));
        ordered.AddRange(residents
            .Where(seen.Add)
            .Select(server => (Server: server, Distance: Distance(hole, server)))
            .OrderBy(r => r.Distance, DistanceComparer.Instance)
            .ThenBy(r => r.Server, StringComparer.Ordinal)
            .Select(r => r.Server));
        return ordered;
    }

    /// <summary>
    /// The server to ask next: the first candidate not asked yet in this round (a round asks every candidate once), so
    /// the <paramref name="attempts"/>-th failure moves on to the next server. Null without candidates.
    /// </summary>
    public static string? Next(IReadOnlyList<string> candidates, IReadOnlyCollection<string> askedServers, int attempts)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(askedServers);
        if (candidates.Count == 0)
        {
            return null;
        }

        // The store keeps each server asked once; once all were asked, rounds go on by attempt count.
        return candidates.FirstOrDefault(c => !askedServers.Contains(c)) ?? candidates[attempts % candidates.Count];
    }

    private static byte[] Distance(byte[] hole, string server)
    {
        var distance = SHA256.HashData(Encoding.UTF8.GetBytes(server));
        for (var i = 0; i < distance.Length; i++)
        {
            distance[i] ^= hole[i];
        }

        return distance;
    }

    /// <summary>Compares hash distances as big-endian unsigned numbers.</summary>
    private sealed class DistanceComparer : IComparer<byte[]>
    {
        public static readonly DistanceComparer Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
