using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Divergence;

/// <summary>
/// Bounds automatic repairs per room, so a forged majority cannot make us loop: at most one per
/// <see cref="ResyncOptions.DivergenceProbeInterval"/> and <see cref="ResyncOptions.DivergenceRepairsPerRoomPerDay"/>
/// in any 24 hours. Kept in memory: a restart gives every room its allowance back. Thread-safe.
/// </summary>
public sealed class RepairBudget(IOptions<ResyncOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> attempts = new(StringComparer.Ordinal);

    /// <summary>Takes one repair of <paramref name="roomId"/> from the allowance; false when none is left.</summary>
    public bool TryTake(string roomId)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var recent = attempts.GetOrAdd(roomId, _ => new Queue<DateTimeOffset>());
        lock (recent)
        {
            while (recent.TryPeek(out var oldest) && oldest <= now - Day)
            {
                recent.Dequeue();
            }

            var last = recent.Count == 0 ? (DateTimeOffset?)null : recent.Last();
            if (recent.Count >= settings.DivergenceRepairsPerRoomPerDay || (last is { } previous && now - previous < settings.DivergenceProbeInterval))
            {
                return false;
            }

            recent.Enqueue(now);
            return true;
        }
    }
}
