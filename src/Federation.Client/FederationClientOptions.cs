using System.ComponentModel.DataAnnotations;

namespace Federation.Client;

/// <summary>Outbound federation settings, bound from the <c>FederationClient</c> configuration section.</summary>
public sealed class FederationClientOptions
{
    public const string SectionName = "FederationClient";

    /// <summary>
    /// Fixed server name → base URL map (for example <c>"hs2.test": "http://127.0.0.1:8009"</c>) that bypasses
    /// discovery; for development and tests. Default empty: every destination is discovered as the spec describes.
    /// </summary>
    public Dictionary<string, string> Destinations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether outbound connections may reach loopback, private, link-local and other non-public addresses for any
    /// server name. Default false: server names come from remote input, so only hosts named in
    /// <see cref="Destinations"/> may resolve to such addresses. Set it for a federation inside a private network.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    /// <summary>
    /// Destinations whose state (resilience pipeline with its circuit breaker, well-known delegation, verify keys) is
    /// kept in memory; the least recently used are forgotten beyond it. Default 10,000; 100 to 1,000,000.
    /// </summary>
    [Range(100, 1_000_000)]
    public int MaxTrackedDestinations { get; set; } = 10_000;

    /// <summary>
    /// PEM file of an extra certificate authority trusted for outbound TLS (a private test CA). Default none: the
    /// system trust store only.
    /// </summary>
    public string? TrustedCaCertificatePath { get; set; }

    /// <summary>
    /// Time limit of one attempt of one request, from sending it to the last byte of the answer (headers and body
    /// together, so a remote trickling both cannot stretch it). Default 30 seconds; 1 second to 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a transient failure (connection error, timeout, 5xx, 429). Default 2; 0 to 10.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>Base delay of the jittered exponential back-off between retries. Default 500 ms; 0 to 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Failures in a row (within <see cref="BreakerSamplingDuration"/>) after which a destination is left alone for
    /// <see cref="BreakDuration"/>. Default 5; at least 2.
    /// </summary>
    [Range(2, 1000)]
    public int BreakerMinimumThroughput { get; set; } = 5;

    /// <summary>The window the circuit breaker counts failures in. Default 1 minute; 1 second to 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long an unreachable destination is not contacted. Default 30 seconds; 1 second to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest response body accepted from a remote server. Default 64 MiB; 64 KiB to 1 GiB.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 64 * 1024 * 1024;
}
