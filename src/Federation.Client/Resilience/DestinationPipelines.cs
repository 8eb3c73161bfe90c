using Federation.Client.Caching;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Federation.Client.Resilience;

/// <summary>
/// One resilience pipeline per destination server: jittered exponential retries of transient failures around a
/// circuit breaker (so an unreachable server is left alone for a while instead of hammered) around a per-attempt
/// timeout. All timing runs on the injected <see cref="TimeProvider"/>.
/// </summary>
public sealed class DestinationPipelines
{
    private readonly BoundedCache<string, ResiliencePipeline<HttpResponseMessage>> _pipelines;
    private readonly FederationClientOptions _options;
    private readonly TimeProvider _time;

    public DestinationPipelines(IOptions<FederationClientOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _pipelines = new(_options.MaxTrackedDestinations, StringComparer.Ordinal);
    }

    /// <summary>
    /// The pipeline of <paramref name="destination"/>, created on first use. Beyond
    /// <see cref="FederationClientOptions.MaxTrackedDestinations"/> the least recently used are forgotten (with their
    /// breaker state: a destination that quiet is not being hammered).
    /// </summary>
    public ResiliencePipeline<HttpResponseMessage> For(string destination) =>
        _pipelines.GetOrAdd(destination, _ =>
        {
            var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();
            Configure(builder);
            return builder.Build();
        });

    private void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder)
    {
        builder.TimeProvider = _time;
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = _options.MaxRetries,
                Delay = _options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(TransientFailure.Is(args.Outcome)),
                OnRetry = args =>
                {
                    // The failed response is replaced by the next attempt's; release its connection now.
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }

        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = 1.0,
            MinimumThroughput = _options.BreakerMinimumThroughput,
            SamplingDuration = _options.BreakerSamplingDuration,
            BreakDuration = _options.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(TransientFailure.Is(args.Outcome)),
        });
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = _options.AttemptTimeout });
    }
}
