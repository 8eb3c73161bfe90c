using System.Net.Http.Headers;
using System.Text.Json;
using Federation.Client.Diagnostics;
using Federation.Client.Discovery;
using Federation.Client.Resilience;
using Federation.Protocol.Authentication;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Federation.Client.Http;

/// <summary>
/// Sends federation requests: discovers the destination, signs the request with X-Matrix, runs it through the
/// destination's resilience pipeline and reads a bounded JSON response.
/// </summary>
public sealed class FederationClient(
    HttpClient http,
    IServerResolver resolver,
    DestinationPipelines pipelines,
    ServerIdentity identity,
    IOptions<FederationClientOptions> options,
    TimeProvider time)
{
    private const string TimedOutReading = "timed out reading the response";

    /// <summary>A signed GET.</summary>
    public Task<FederationResponse> GetAsync(string destination, string pathAndQuery, CancellationToken cancellationToken) =>
        SendAsync(destination, HttpMethod.Get, pathAndQuery, body: null, sign: true, cancellationToken);

    /// <summary>
    /// Sends a request. <paramref name="pathAndQuery"/> is the request target exactly as it goes on the wire (already
    /// percent-encoded), since that is what the signature covers.
    /// </summary>
    public async Task<FederationResponse> SendAsync(
        string destination, HttpMethod method, string pathAndQuery, JsonElement? body, bool sign, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var response = await SendOnceAsync(destination, method, pathAndQuery, body, sign, cancellationToken).ConfigureAwait(false);
        var outcome = response.StatusCode == 0 ? "unreachable" : response.IsSuccess ? "ok" : "error";
        FederationClientMetrics.RecordRequest(destination, outcome, time.GetElapsedTime(started));
        return response;
    }

    private async Task<FederationResponse> SendOnceAsync(
        string destination, HttpMethod method, string pathAndQuery, JsonElement? body, bool sign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ResolvedServer server;
        try
        {
            server = await resolver.ResolveAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return FederationResponse.Unreachable(destination, e.Message);
        }

        var content = body is { } element ? CanonicalJson.Encode(element) : null;
        var authorization = sign
            ? RequestSigning.Sign(method.Method, pathAndQuery, identity.ServerName, destination, body, identity.SigningKey).ToHeaderValue()
            : null;
        var uri = new Uri(server.BaseAddress, pathAndQuery);
        var attemptStarted = time.GetTimestamp();

        try
        {
            using var response = await pipelines.For(destination).ExecuteAsync(
                async token =>
                {
                    attemptStarted = time.GetTimestamp();
                    using var request = new HttpRequestMessage(method, uri);
                    request.Headers.Host = server.HostHeader;
                    if (authorization is not null)
                    {
                        request.Headers.TryAddWithoutValidation("Authorization", authorization);
                    }

                    if (content is not null)
                    {
                        request.Content = new ByteArrayContent(content);
                        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                    }

                    return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            // The pipeline's timeout ends when the headers arrive. The body gets what is left of the attempt's time, so
            // that headers and body trickled byte by byte cannot hold one attempt longer than AttemptTimeout.
            var left = options.Value.AttemptTimeout - time.GetElapsedTime(attemptStarted);
            if (left <= TimeSpan.Zero)
            {
                return FederationResponse.Unreachable(destination, TimedOutReading);
            }

            using var bodyDeadline = new CancellationTokenSource(left, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bodyDeadline.Token);
            return FederationResponse.Received(destination, (int)response.StatusCode, await ReadBodyAsync(response, linked.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FederationResponse.Unreachable(destination, TimedOutReading);
        }
        catch (IOException e)
        {
            return FederationResponse.Unreachable(destination, e.Message);
        }
        catch (BrokenCircuitException)
        {
            return FederationResponse.Unreachable(destination, "in back-off after repeated failures");
        }
        catch (TimeoutRejectedException)
        {
            return FederationResponse.Unreachable(destination, "timed out");
        }
        catch (HttpRequestException e)
        {
            return FederationResponse.Unreachable(destination, e.Message);
        }
        catch (ResponseTooLargeException e)
        {
            return FederationResponse.Unreachable(destination, e.Message);
        }
    }

    private async Task<JsonDocument?> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxResponseBytes;
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new ResponseTooLargeException(limit);
        }

        using var buffer = new PooledBufferWriter();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                var read = await stream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    throw new ResponseTooLargeException(limit);
                }
            }
        }

        try
        {
            return buffer.WrittenCount == 0 ? null : JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = CanonicalJson.MaxDepth });
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
