using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Authentication;
using Federation.Ingest;
using Federation.Ingest.Queue;
using Federation.Ingest.Remote;
using Federation.Ingest.StateHashes;
using Federation.Protocol.Errors;
using Federation.Protocol.Json;
using Federation.Resync.Core.StateHashes;
using Federation.Storage.Dag.Transactions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Send;

/// <summary>
/// <c>PUT /_matrix/federation/v1/send/{txnId}</c>: at most 50 PDUs and 100 EDUs; each PDU gets its own result, so one
/// bad PDU never fails the others. The answer comes after the cheap checks (room, ACL, format, signatures, content
/// hash); the events that pass are queued and processed per room in the background, so that a slow gap fill never
/// delays a transaction. A transaction id the origin already used is answered with the stored response, without
/// processing anything again. The sender's MSC4500 state digests (<c>tk.nutra.msc4500.state_hashes</c>) are read
/// leniently (anything malformed is ignored) and compared with ours where our state is known before answering, else
/// once the queue has processed the event; a mismatch is answered in the PDU's result when known in time and never
/// changes what happens to the PDU.
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
        var admitted = new List<(string Origin, VerifiedEvent Event)>();
        var takenIn = new List<StateHashSubject>();
        // Events with state digests are answered with their check at once when already held (MSC4500), so their held
        // status must be known now; for the others the worker finds out.
        var claims = TransactionStateHashes.Read(request.Body!.RootElement);
        var admissions = await ingestor.AdmitTransactionAsync(
            request.Origin, pdus, claims.Keys.ToHashSet(StringComparer.Ordinal), context.RequestAborted).ConfigureAwait(false);
        for (var i = 0; i < admissions.Count; i++)
        {
            var (eventId, outcome, toProcess) = admissions[i];
            if (eventId is null)
            {
                continue;
            }

            if (toProcess is not null)
            {
                admitted.Add((request.Origin, toProcess));
                takenIn.Add(new StateHashSubject(toProcess.Pdu.RoomId, eventId, toProcess.Pdu));
            }
            else if (outcome.IsAccepted && pdus[i].TryGetProperty("room_id", out var roomId) && roomId.GetString() is { } held)
            {
                // Accepted without processing: already held with state.
                takenIn.Add(new StateHashSubject(held, eventId, null));
            }

            // What happens to admitted events later (rejected, soft-failed, or dropped for an unclosable gap) is
            // recorded, not answered: the origin is told only of events not taken in.
            results[eventId] = outcome.IsAccepted ? new JsonObject() : new JsonObject { ["error"] = outcome.Reason };
        }

        var (mismatches, deferred) = await context.RequestServices.GetRequiredService<StateHashChecker>()
            .CheckAtSendAsync(request.Origin, claims, takenIn, context.RequestAborted)
            .ConfigureAwait(false);
        foreach (var (eventId, check) in mismatches)
        {
            results[eventId]![TransactionStateHashes.UnstableMismatchKey] = check.ToMismatchJson();
        }

        // Queued before the response is stored: a crash in between makes the origin retry, and queueing is idempotent.
        await context.RequestServices.GetRequiredService<InboundPduStore>().EnqueueAsync(admitted, deferred, context.RequestAborted).ConfigureAwait(false);
        context.RequestServices.GetRequiredService<InboundQueueWorker>().Notify();
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
