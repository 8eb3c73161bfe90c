using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Federation.Client.Resilience;

/// <summary>What counts as a passing failure of a destination: worth a retry and counted by its circuit breaker.</summary>
internal static class TransientFailure
{
    public static bool Is(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: BrokenCircuitException } => false,
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransientStatus(response.StatusCode),
        _ => false,
    };

    private static bool IsTransientStatus(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
        || ((int)status >= 500 && status != HttpStatusCode.NotImplemented);
}
