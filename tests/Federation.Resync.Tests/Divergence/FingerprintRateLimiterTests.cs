using Federation.Resync.Divergence;
using Federation.Testing.Time;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Tests.Divergence;

public sealed class FingerprintRateLimiterTests
{
    [Fact]
    public void A_server_may_burst_then_waits_for_tokens_to_refill_at_the_sustained_rate()
    {
        var time = new FakeTimeProvider();
        var limiter = new FingerprintRateLimiter(
            Options.Create(new ResyncOptions { FingerprintRequestBurst = 3, FingerprintRequestsPerSecond = 1 }), time);

        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire("a.test", out _));
        }

        Assert.False(limiter.TryAcquire("a.test", out var retryAfter));
        Assert.Equal(TimeSpan.FromSeconds(1), retryAfter);
        Assert.True(limiter.TryAcquire("b.test", out _));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(limiter.TryAcquire("a.test", out _));
        Assert.False(limiter.TryAcquire("a.test", out _));

        time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limiter.TryAcquire("a.test", out _));
        }

        Assert.False(limiter.TryAcquire("a.test", out _));
    }
}
