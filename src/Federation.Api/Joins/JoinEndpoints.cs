using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Authentication;
using Federation.Local.Joins;
using Federation.Protocol.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Joins;

/// <summary>
/// The resident side of joins: <c>GET /_matrix/federation/v1/make_join/{roomId}/{userId}?ver=…</c> and
/// <c>PUT /_matrix/federation/v2/send_join/{roomId}/{eventId}</c> (and the deprecated v1, which wraps the answer in
/// <c>[200, …]</c>). X-Matrix authenticated.
/// </summary>
public static class JoinEndpoints
{
    public static IEndpointRouteBuilder MapJoinEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_matrix/federation/v1/make_join/{roomId}/{userId}", MakeJoinAsync);
        endpoints.MapPut("/_matrix/federation/v2/send_join/{roomId}/{eventId}", (HttpContext c, string roomId, string eventId, ResidentJoins joins) =>
            SendJoinAsync(c, roomId, eventId, joins, wrapV1: false));
        endpoints.MapPut("/_matrix/federation/v1/send_join/{roomId}/{eventId}", (HttpContext c, string roomId, string eventId, ResidentJoins joins) =>
            SendJoinAsync(c, roomId, eventId, joins, wrapV1: true));
        return endpoints;
    }

    private static async Task<IResult> MakeJoinAsync(HttpContext context, string roomId, string userId, ResidentJoins joins)
    {
        var origin = FederationRequest.Of(context).Origin;
        // Without ver the joining server supports room version 1 only (spec).
        var versions = context.Request.Query["ver"].OfType<string>().DefaultIfEmpty("1").ToArray();
        var answer = await joins.MakeJoinAsync(origin, roomId, userId, versions, context.RequestAborted).ConfigureAwait(false);
        if (answer.Template is null)
        {
            return Json(
                new JsonObject
                {
                    ["errcode"] = ErrorCode.IncompatibleRoomVersion,
                    ["error"] = $"Your server does not support room version {answer.Version.Id}",
                    ["room_version"] = answer.Version.Id,
                },
                StatusCodes.Status400BadRequest);
        }

        return Json(new JsonObject { ["event"] = answer.Template, ["room_version"] = answer.Version.Id });
    }

    private static async Task<IResult> SendJoinAsync(HttpContext context, string roomId, string eventId, ResidentJoins joins, bool wrapV1)
    {
        var request = FederationRequest.Of(context);
        if (request.Body?.RootElement is not { ValueKind: JsonValueKind.Object } body)
        {
            throw new MatrixException(ErrorCode.BadJson, "The body must be the join event");
        }

        var answer = await joins.SendJoinAsync(request.Origin, roomId, Uri.UnescapeDataString(eventId), body.Clone(), context.RequestAborted)
            .ConfigureAwait(false);
        return wrapV1 ? Json(new JsonArray(200, answer)) : Json(answer);
    }

    private static IResult Json(JsonNode body, int statusCode = StatusCodes.Status200OK) =>
        Results.Text(body.ToJsonString(), "application/json", statusCode: statusCode);
}
