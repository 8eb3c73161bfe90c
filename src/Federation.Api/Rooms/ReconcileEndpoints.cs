using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Authentication;
using Federation.Client.Reconciliation;
using Federation.Protocol.Errors;
using Federation.Protocol.Json;
using Federation.Resync.Core.Reconciliation;
using Federation.Resync.Reconciliation;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Federation.Api.Rooms;

/// <summary>
/// The answering side of set reconciliation (<see cref="ReconcileEndpoint"/>): one Negentropy message in, one out, no
/// state kept between messages. Authorised like <c>/state_ids</c>: the requester must pass the room's ACL and have a
/// joined member in it.
/// </summary>
public static class ReconcileEndpoints
{
    public static IEndpointRouteBuilder MapReconcileEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ReconcileEndpoint.RouteTemplate, ReconcileAsync);
        return endpoints;
    }

    private static async Task<IResult> ReconcileAsync(HttpContext context, string roomId)
    {
        var services = context.RequestServices;
        var options = services.GetRequiredService<IOptions<ReconciliationOptions>>().Value;
        var request = FederationRequest.Of(context);
        var (scope, message) = ReadRequest(request.Body?.RootElement, options.MaxMessageBytes);

        await services.GetRequiredService<RoomAccess>().EnsureMayReadAsync(roomId, request.Origin, context.RequestAborted).ConfigureAwait(false);
        var held = await services.GetRequiredService<DagStore>().GetReconciliationItemsAsync(roomId, scope, context.RequestAborted).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.Forbidden, "This server is not in the room", StatusCodes.Status403Forbidden);
        byte[] answer;
        try
        {
            answer = ReconciliationResponder.Answer(held.Items, message, options.MaxMessageBytes);
        }
        catch (ReconciliationFormatException e)
        {
            throw new MatrixException(ErrorCode.InvalidParam, "Unreadable reconciliation message: " + e.Message);
        }

        var body = new JsonObject { [ReconcileEndpoint.MessageField] = Convert.ToBase64String(answer) };
        return Results.Bytes(CanonicalJson.Encode(JsonSigning.ToElement(body)), "application/json");
    }

    private static (ReconcileScope Scope, byte[] Message) ReadRequest(JsonElement? body, int maxMessageBytes)
    {
        if (body is not { ValueKind: JsonValueKind.Object } request)
        {
            throw new MatrixException(ErrorCode.BadJson, "The body must be a JSON object");
        }

        if (!request.TryGetProperty(ReconcileEndpoint.ScopeField, out var scopeName) || scopeName.ValueKind != JsonValueKind.String)
        {
            throw new MatrixException(ErrorCode.MissingParam, $"'{ReconcileEndpoint.ScopeField}' is required");
        }

        if (scopeName.GetString() != ReconcileEndpoint.EventsScope)
        {
            throw new MatrixException(ErrorCode.InvalidParam, $"Unknown scope; '{ReconcileEndpoint.EventsScope}' is supported");
        }

        if (!request.TryGetProperty(ReconcileEndpoint.MessageField, out var encoded) || encoded.ValueKind != JsonValueKind.String)
        {
            throw new MatrixException(ErrorCode.MissingParam, $"'{ReconcileEndpoint.MessageField}' is required");
        }

        // base64 carries 3 bytes in 4 characters: refuse an oversized message before decoding it.
        if ((long)encoded.GetString()!.Length * 3 / 4 > maxMessageBytes)
        {
            throw new MatrixException(ErrorCode.TooLarge, $"Reconciliation messages are limited to {maxMessageBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        if (!encoded.TryGetBytesFromBase64(out var message))
        {
            throw new MatrixException(ErrorCode.BadJson, $"'{ReconcileEndpoint.MessageField}' must be base64");
        }

        return (ReadWindow(request), message);
    }

    private static ReconcileScope ReadWindow(JsonElement request)
    {
        if (!request.TryGetProperty(ReconcileEndpoint.WindowField, out var window))
        {
            return ReconcileScope.All;
        }

        if (window.ValueKind != JsonValueKind.Object
            || !window.TryGetProperty(ReconcileEndpoint.FromTsField, out var from) || !from.TryGetInt64(out var fromTs)
            || !window.TryGetProperty(ReconcileEndpoint.UntilTsField, out var until) || !until.TryGetInt64(out var untilTs))
        {
            throw new MatrixException(ErrorCode.BadJson,
                $"'{ReconcileEndpoint.WindowField}' must be an object with integer '{ReconcileEndpoint.FromTsField}' and '{ReconcileEndpoint.UntilTsField}'");
        }

        return fromTs <= untilTs
            ? ReconcileScope.Window(fromTs, untilTs)
            : throw new MatrixException(ErrorCode.InvalidParam, "The window ends before it starts");
    }
}
