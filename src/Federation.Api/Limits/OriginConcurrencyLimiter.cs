using Microsoft.Extensions.Options;

namespace Federation.Api.Limits;

/// <summary>
/// Counts the requests in progress per origin server and refuses one beyond the limit. Origins with nothing in progress
/// are forgotten, so memory grows with the servers talking to us right now, not with every server ever seen.
/// </summary>
public sealed class OriginConcurrencyLimiter(IOptions<InboundLimitsOptions> options)
{
    private readonly Dictionary<string, int> _inProgress = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>A slot for one request of <paramref name="origin"/>, released on dispose; null when the origin has none left.</summary>
    public IDisposable? TryEnter(string origin)
    {
        lock (_gate)
        {
            var count = _inProgress.GetValueOrDefault(origin);
            if (count >= options.Value.MaxConcurrentRequestsPerOrigin)
            {
                return null;
            }

            _inProgress[origin] = count + 1;
        }

        return new Slot(this, origin);
    }

    /// <summary>Requests of <paramref name="origin"/> in progress.</summary>
    public int InProgress(string origin)
    {
        lock (_gate)
        {
            return _inProgress.GetValueOrDefault(origin);
        }
    }

    private void Leave(string origin)
    {
        lock (_gate)
        {
            var count = _inProgress[origin] - 1;
            if (count == 0)
            {
                _inProgress.Remove(origin);
            }
            else
            {
                _inProgress[origin] = count;
            }
        }
    }

    private sealed class Slot(OriginConcurrencyLimiter limiter, string origin) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                limiter.Leave(origin);
            }
        }
    }
}
