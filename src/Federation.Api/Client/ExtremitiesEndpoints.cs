using System.Text.Json.Nodes;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Client;

/// <summary>
/// Non-standard, for operators and tests: <c>GET /_matrix/client/unstable/org.example.federation/rooms/{roomId}/extremities</c>
/// lists a room's forward extremities (deepest first) and its holes (prev events referenced but not held), with their
/// fetch bookkeeping. Open to server admins and to users joined to the room.
/// </summary>
public static class ExtremitiesEndpoints
{
    public const string VendorPrefix = "/_matrix/client/unstable/org.example.federation";

    public static IEndpointRouteBuilder MapExtremitiesEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(VendorPrefix + "/rooms/{roomId}/extremities", GetAsync);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(HttpContext context, string roomId, DagStore store, LocalRooms rooms)
    {
        var user = ClientUser.Of(context);
        if (await store.GetRoomVersionAsync(roomId, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw new MatrixException(ErrorCode.NotFound, "Unknown room", StatusCodes.Status404NotFound);
        }

        if (!user.IsAdmin)
        {
            _ = await rooms.StateForMemberAsync(roomId, user.UserId, context.RequestAborted).ConfigureAwait(false);
        }

        var extremities = await store.GetForwardExtremitiesAsync(roomId, context.RequestAborted).ConfigureAwait(false);
        var holes = await store.GetHolesAsync(roomId, dueOnly: false, context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject
        {
            ["room_id"] = roomId,
            ["forward_extremities"] = new JsonArray([.. extremities.Select(e => (JsonNode)e)]),
            ["missing_events"] = new JsonArray([.. holes.Select(h => (JsonNode)new JsonObject
            {
                ["event_id"] = h.EventId,
                ["discovered_ts"] = h.DiscoveredAt.ToUnixTimeMilliseconds(),
                ["attempts"] = h.Attempts,
                ["last_attempt_ts"] = h.LastAttemptAt?.ToUnixTimeMilliseconds(),
                ["next_attempt_ts"] = h.NextAttemptAt?.ToUnixTimeMilliseconds(),
                ["last_error"] = h.LastError,
                ["servers_asked"] = new JsonArray([.. h.AskedServers.Select(s => (JsonNode)s)]),
                ["given_up_ts"] = h.GivenUpAt?.ToUnixTimeMilliseconds(),
            })]),
        });
    }
}
