using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Federation.Testing.Homeservers;

/// <summary>
/// Sends transactions over <c>streams</c> in-flight streams; each stream sends its own list in order, one at a time,
/// as a remote's per-destination queue does. Records each <c>/send</c>'s latency and fails on any PDU not admitted.
/// </summary>
public static class TransactionPusher
{
    public static async Task<List<double>> PushAsync(HttpClient client, IReadOnlyList<IReadOnlyList<SignedTransaction>> streams)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(streams);
        var latencies = new List<double>();
        await Task.WhenAll(streams.Select(async stream =>
        {
            foreach (var transaction in stream)
            {
                using var request = transaction.ToRequest(client.BaseAddress!);
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Check(transaction, response.StatusCode, body);
                lock (latencies)
                {
                    latencies.Add(elapsed);
                }
            }
        })).ConfigureAwait(false);
        return latencies;
    }

    private static void Check(SignedTransaction transaction, HttpStatusCode status, string body)
    {
        if (status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{transaction.PathAndQuery} answered {(int)status}: {body}");
        }

        using var answer = JsonDocument.Parse(body);
        var pdus = answer.RootElement.GetProperty("pdus");
        foreach (var eventId in transaction.EventIds)
        {
            if (!pdus.TryGetProperty(eventId, out var result) || result.EnumerateObject().Any())
            {
                throw new InvalidOperationException($"{eventId} was not admitted: {body}");
            }
        }
    }
}
