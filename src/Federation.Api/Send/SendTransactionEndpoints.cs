using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Authentication;
using Federation.Ingest;
using Federation.Protocol.Errors;
using Federation.Protocol.Json;
using Federation.Storage.Dag.Transactions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Send;

/// <summary>
/// <c>PUT /_matrix/federation/v1/send/{txnId}</c>: at most 50 PDUs and 100 EDUs; each PDU gets its own result, so one
/// bad PDU never fails the others. A transaction id the origin already used is answered with the stored response,
/// without processing anything again.
/// </summary>
public static class SendTransactionEndpoints
{
    public const int MaxPdus = 50;
    public const int MaxEdus = 100;

    public static RouteHandlerBuilder MapSendTransaction(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPut("/_matrix/federation/v1/send/{txnId}", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext context, string txnId)
    {
        var request = FederationRequest.Of(context);
        var transactions = context.RequestServices.GetRequiredService<ReceivedTransactionStore>();
        if (await transactions.GetResponseAsync(request.Origin, txnId, context.RequestAborted).ConfigureAwait(false) is { } replay)
        {
            return Results.Bytes(replay, "application/json");
        }

        var (pdus, edus) = ReadTransaction(request.Body);
        if (pdus.Count > MaxPdus || edus > MaxEdus)
        {
            throw new MatrixException(ErrorCode.BadJson, $"A transaction holds at most {MaxPdus} PDUs and {MaxEdus} EDUs");
        }

        var ingestor = context.RequestServices.GetRequiredService<PduIngestor>();
        var results = new JsonObject();
        foreach (var pdu in pdus)
        {
            var (eventId, outcome) = await ingestor.ReceivePushedAsync(request.Origin, pdu, context.RequestAborted).ConfigureAwait(false);
            if (eventId is null)
            {
                continue;
            }

            // Rejected and soft-failed events were received and stored: only events not taken in are errors.
            results[eventId] = outcome.Disposition == PduDisposition.Dropped
                ? new JsonObject { ["error"] = outcome.Reason }
                : new JsonObject();
        }

        var response = CanonicalJson.Encode(JsonSigning.ToElement(new JsonObject { ["pdus"] = results }));
        var stored = await transactions.StoreResponseAsync(request.Origin, txnId, response, context.RequestAborted).ConfigureAwait(false);
        return Results.Bytes(stored, "application/json");
    }

    private static (IReadOnlyList<JsonElement> Pdus, int Edus) ReadTransaction(JsonDocument? body)
    {
        if (body?.RootElement is not { ValueKind: JsonValueKind.Object } transaction
            || !transaction.TryGetProperty("pdus", out var pdus) || pdus.ValueKind != JsonValueKind.Array)
        {
            throw new MatrixException(ErrorCode.BadJson, "A transaction needs a 'pdus' array");
        }

        var edus = transaction.TryGetProperty("edus", out var eduList) && eduList.ValueKind == JsonValueKind.Array ? eduList.GetArrayLength() : 0;
        return ([.. pdus.EnumerateArray()], edus);
    }
}
