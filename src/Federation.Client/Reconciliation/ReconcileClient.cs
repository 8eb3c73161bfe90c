using System.Text.Json;
using Federation.Client.Http;
using Federation.Protocol.Json;

namespace Federation.Client.Reconciliation;

/// <summary>Sends one set-reconciliation message to a peer (<see cref="ReconcileEndpoint"/>) and reads its answer.</summary>
public sealed class ReconcileClient(FederationClient client)
{
    /// <param name="destination">The peer.</param>
    /// <param name="roomId">The room.</param>
    /// <param name="window">The <c>origin_server_ts</c> window [from, until) in milliseconds, or null for all the room's events.</param>
    /// <param name="message">Our reconciliation message.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task<ReconcileAnswer> SendAsync(
        string destination, string roomId, (long FromTs, long UntilTs)? window, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var request = new Dictionary<string, object>
        {
            [ReconcileEndpoint.ScopeField] = ReconcileEndpoint.EventsScope,
            [ReconcileEndpoint.MessageField] = Convert.ToBase64String(message.Span),
        };
        if (window is var (fromTs, untilTs))
        {
            request[ReconcileEndpoint.WindowField] = new Dictionary<string, long>
            {
                [ReconcileEndpoint.FromTsField] = fromTs,
                [ReconcileEndpoint.UntilTsField] = untilTs,
            };
        }

        var body = JsonSerializer.SerializeToElement(request);
        var requestBytes = CanonicalJson.Encode(body).Length;
        using var response = await client.SendAsync(
            destination, HttpMethod.Post, ReconcileEndpoint.PathFor(roomId), body, sign: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return new ReconcileAnswer(null, response.StatusCode, response.ErrorCode, response.Failure, requestBytes, 0);
        }

        var root = response.Body!.RootElement;
        var responseBytes = CanonicalJson.Encode(root).Length;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty(ReconcileEndpoint.MessageField, out var encoded)
            || encoded.ValueKind != JsonValueKind.String
            || !encoded.TryGetBytesFromBase64(out var answer))
        {
            return new ReconcileAnswer(null, response.StatusCode, null, $"{destination} answered without a base64 '{ReconcileEndpoint.MessageField}'",
                requestBytes, responseBytes);
        }

        return new ReconcileAnswer(answer, response.StatusCode, null, null, requestBytes, responseBytes);
    }
}
