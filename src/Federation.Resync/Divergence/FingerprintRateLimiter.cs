using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Divergence;

/// <summary>
/// A token bucket per requesting server for the state accumulator endpoint: a bisection may burst (MSC4500 suggests
/// about 30 requests) and then sustain about one per second. Per server rather than per room, so many rooms do not
/// multiply the allowance. Thread-safe.
/// </summary>
public sealed class FingerprintRateLimiter(IOptions<ResyncOptions> options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Bucket> buckets = new(StringComparer.Ordinal);

    /// <summary>Takes a token for <paramref name="server"/>; when none is left, says how long until one is.</summary>
    public bool TryAcquire(string server, out TimeSpan retryAfter)
    {
        var settings = options.Value;
        var bucket = buckets.GetOrAdd(server, _ => new Bucket(settings.FingerprintRequestBurst, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            var rate = settings.FingerprintRequestsPerSecond;
            bucket.Tokens = Math.Min(settings.FingerprintRequestBurst, bucket.Tokens + (time.GetElapsedTime(bucket.Updated, now).TotalSeconds * rate));
            bucket.Updated = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - bucket.Tokens) / rate);
            return false;
        }
    }

    private sealed class Bucket(double tokens, long updated)
    {
        public double Tokens { get; set; } = tokens;

        public long Updated { get; set; } = updated;
    }
}
