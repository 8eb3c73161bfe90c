using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Federation.Resync.Core.Holes;

/// <summary>
/// The wait after a failed attempt to fetch a hole: drawn between the minimum and a ceiling that doubles per attempt
/// up to the maximum, with a jitter seeded by our server name, the event and the attempt. Holes found together do not
/// retry together, and a restart keeps every hole's schedule.
/// </summary>
public static class HoleBackoff
{
    /// <summary>The delay after failed attempt number <paramref name="attempt"/> (1 for the first failure), within
    /// [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
    public static TimeSpan Delay(string ourServer, string eventId, int attempt, TimeSpan minimum, TimeSpan maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maximum, minimum);
        var ceilingTicks = Math.Min(maximum.Ticks, minimum.Ticks * Math.Pow(2, Math.Min(attempt - 1, 40)));
        var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{ourServer}\n{eventId}\n{attempt}"));
        var fraction = (BinaryPrimitives.ReadUInt64BigEndian(seed) >> 11) / (double)(1UL << 53);
        return TimeSpan.FromTicks(minimum.Ticks + (long)((ceilingTicks - minimum.Ticks) * fraction));
    }
}
