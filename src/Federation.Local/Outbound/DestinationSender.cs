using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Client.Http;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Resync.Core.StateHashes;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Local.Outbound;

/// <summary>
/// The one sender loop of a destination: sends its queued events oldest first in <c>/send</c> transactions, one at a
/// time, and waits with doubling back-off while the destination fails (unreachable, 5xx, 408, 429), cut short when the
/// destination makes an authenticated request to us (<see cref="OutboundWakeups.ServerUp"/>). A transaction the
/// destination refuses with any other 4xx is dropped rather than retried forever; any 2xx counts as delivered. A transaction id names the queue rows it
/// carries, so a retry of the same rows reuses the id and the destination answers it from its transaction cache.
/// </summary>
internal sealed partial class DestinationSender(
    string destination,
    OutboundPdus queue,
    OutboundWakeups wakeups,
    DagStore store,
    FederationClient client,
    ServerIdentity identity,
    IOptions<OutboundOptions> options,
    TimeProvider time,
    ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);
    private int _failures;

    public string Destination => destination;

    public void Dispose() => _signal.Dispose();

    /// <summary>New rows were queued: wake the loop if it is idle (a loop in back-off keeps waiting).</summary>
    public void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var batch = await queue.PeekAsync(destination, options.Value.MaxPdusPerTransaction, cancellationToken).ConfigureAwait(false);
                if (batch.Count == 0)
                {
                    await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await SendAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    _failures = 0;
                    continue;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The loop must outlive a failing database round trip; it backs off and tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                LogLoopFailed(logger, e, destination);
            }

            await BackOffAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> SendAsync(IReadOnlyList<QueuedPdu> batch, CancellationToken cancellationToken)
    {
        var held = (await store.GetEventsAsync([.. batch.Select(r => r.EventId)], cancellationToken).ConfigureAwait(false))
            .ToDictionary(e => e.EventId, StringComparer.Ordinal);
        var pdus = new JsonArray();
        foreach (var row in batch)
        {
            if (held.TryGetValue(row.EventId, out var stored))
            {
                pdus.Add(JsonNode.Parse(stored.ServedJson.Span));
            }
        }

        var txnId = TransactionId(batch);
        var body = new JsonObject
        {
            ["origin"] = identity.ServerName,
            ["origin_server_ts"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
            ["pdus"] = pdus,
        };
        var claims = await StateHashClaimsAsync(batch.Where(r => held.ContainsKey(r.EventId)), cancellationToken).ConfigureAwait(false);
        if (claims.Count > 0)
        {
            body[TransactionStateHashes.UnstableKey] = TransactionStateHashes.Write(claims);
        }

        if (pdus.Count > 0)
        {
            using var response = await client.SendAsync(
                destination,
                HttpMethod.Put,
                "/_matrix/federation/v1/send/" + Uri.EscapeDataString(txnId),
                JsonSigning.ToElement(body),
                sign: true,
                cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is >= 400 and < 500 and not (408 or 429))
            {
                // The destination refuses the transaction itself (not a timeout or rate limit): sending the same rows
                // again would be refused again and block everything queued behind them, so they are dropped.
                LogTransactionRefused(logger, destination, txnId, response.StatusCode, pdus.Count, response.Failure ?? "no reason");
            }
            else if (response.StatusCode is >= 200 and < 300)
            {
                // Delivered, whatever the body says: only per-PDU errors in a well-formed answer are worth counting.
                var answer = response.Body?.RootElement is { ValueKind: JsonValueKind.Object } root ? root : default;
                var refused = Rejections(answer);
                LogSent(logger, destination, txnId, pdus.Count, refused);
                foreach (var (eventId, mismatch) in ReportedMismatches(answer))
                {
                    LogMismatchReported(logger, destination, eventId, mismatch);
                }
            }
            else
            {
                LogSendFailed(logger, destination, txnId, response.Failure ?? "no JSON body");
                return false;
            }
        }

        // Rows whose event is not held (never persisted) cannot be sent; they leave the queue with the rest, as do rows
        // the destination refused.
        await queue.RemoveAsync(destination, batch, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task BackOffAsync(CancellationToken cancellationToken)
    {
        _failures++;
        var delay = TimeSpan.FromTicks((long)Math.Min(
            options.Value.RetryMaxDelay.Ticks,
            options.Value.RetryBaseDelay.Ticks * Math.Pow(2, Math.Min(_failures - 1, 30))));
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var serverUp = wakeups.WatchServerUp(destination);
        try
        {
            var wait = Task.Delay(delay, time, cut.Token);
            wakeups.BackingOff(destination, delay);
            if (await Task.WhenAny(wait, serverUp).ConfigureAwait(false) == serverUp)
            {
                LogServerUp(logger, destination, delay);
                await cut.CancelAsync().ConfigureAwait(false);
            }

            await wait.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cut.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// MSC4500 digests of our state before and after each event, from the stored fingerprints only: an event whose
    /// state has no stored fingerprint gets no entry (the MSC forbids a guessed digest; no entry asserts nothing).
    /// </summary>
    private async Task<List<KeyValuePair<string, StateHashClaim>>> StateHashClaimsAsync(IEnumerable<QueuedPdu> rows, CancellationToken cancellationToken)
    {
        var claims = new List<KeyValuePair<string, StateHashClaim>>();
        foreach (var room in rows.GroupBy(r => r.RoomId, StringComparer.Ordinal))
        {
            var ours = await store.GetStoredStateFingerprintsAsync(room.Key, [.. room.Select(r => r.EventId)], cancellationToken).ConfigureAwait(false);
            foreach (var row in room)
            {
                if (ours.TryGetValue(row.EventId, out var fingerprints) && fingerprints is { Before: { } before, After: { } after })
                {
                    claims.Add(KeyValuePair.Create(row.EventId, StateHashClaim.Of(before, after)));
                }
            }
        }

        return claims;
    }

    private static int Rejections(JsonElement response) =>
        PduResults(response).Count(r => r.Value.TryGetProperty("error", out _));

    private static IEnumerable<(string EventId, string Mismatch)> ReportedMismatches(JsonElement response) =>
        PduResults(response)
            .Where(r => r.Value.TryGetProperty(TransactionStateHashes.UnstableMismatchKey, out _))
            .Select(r => (r.Name, r.Value.GetProperty(TransactionStateHashes.UnstableMismatchKey).GetRawText()));

    private static IEnumerable<JsonProperty> PduResults(JsonElement response) =>
        response.ValueKind == JsonValueKind.Object && response.TryGetProperty("pdus", out var results) && results.ValueKind == JsonValueKind.Object
            ? results.EnumerateObject().Where(r => r.Value.ValueKind == JsonValueKind.Object)
            : [];

    /// <summary>
    /// Names a transaction by the events it carries, so a batch retried after a restart keeps its id (the receiver answers
    /// a replay from what it stored), while ids never repeat for other events — queue positions would, after a database
    /// is lost and rebuilt, and receivers would then answer new events with an old transaction's response.
    /// </summary>
    private static string TransactionId(IReadOnlyList<QueuedPdu> batch)
    {
        var ids = Encoding.UTF8.GetBytes(string.Join('\n', batch.Select(r => r.EventId)));
        return string.Create(CultureInfo.InvariantCulture, $"{batch.Count}_{Convert.ToHexStringLower(SHA256.HashData(ids).AsSpan(0, 16))}");
    }

    [LoggerMessage(EventId = 5000, Level = LogLevel.Debug, Message = "Sent transaction {TxnId} to {Destination}: {Count} PDUs, {Errors} refused")]
    private static partial void LogSent(ILogger logger, string destination, string txnId, int count, int errors);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Transaction {TxnId} to {Destination} failed: {Failure}")]
    private static partial void LogSendFailed(ILogger logger, string destination, string txnId, string failure);

    [LoggerMessage(
        EventId = 5004,
        Level = LogLevel.Warning,
        Message = "Transaction {TxnId} to {Destination} was refused with {Status}; its {Count} PDUs are dropped: {Failure}")]
    private static partial void LogTransactionRefused(ILogger logger, string destination, string txnId, int status, int count, string failure);

    [LoggerMessage(
        EventId = 5006,
        Level = LogLevel.Warning,
        Message = "{Destination} reports that its state around {EventId} differs from ours (MSC4500): {Mismatch}")]
    private static partial void LogMismatchReported(ILogger logger, string destination, string eventId, string mismatch);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Information, Message = "{Destination} reached us, so it is up: its back-off of {Delay} is cut short")]
    private static partial void LogServerUp(ILogger logger, string destination, TimeSpan delay);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Sender loop of {Destination} failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception, string destination);
}
