using System.Text.Json.Nodes;
using Federation.Local.Rooms;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Client;

/// <summary>
/// <c>POST /join/{roomIdOrAlias}</c> and <c>/rooms/{roomId}/join</c> (remote rooms through the <c>server_name</c> /
/// <c>via</c> query parameters), <c>/rooms/{roomId}/leave</c> and <c>/rooms/{roomId}/invite</c>.
/// </summary>
public static class MembershipEndpoints
{
    public static IEndpointRouteBuilder MapMembershipEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/_matrix/client/v3/join/{roomIdOrAlias}", JoinAsync);
        endpoints.MapPost("/_matrix/client/v3/rooms/{roomIdOrAlias}/join", JoinAsync);
        endpoints.MapPost("/_matrix/client/v3/rooms/{roomId}/leave", LeaveAsync);
        endpoints.MapPost("/_matrix/client/v3/rooms/{roomId}/invite", InviteAsync);
        return endpoints;
    }

    private static async Task<IResult> JoinAsync(HttpContext context, string roomIdOrAlias, RoomMemberships memberships)
    {
        var user = ClientUser.Of(context);
        _ = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        var via = context.Request.Query["server_name"].Concat(context.Request.Query["via"]).OfType<string>().ToArray();
        var roomId = await memberships.JoinAsync(user.UserId, roomIdOrAlias, via, context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject { ["room_id"] = roomId });
    }

    private static async Task<IResult> LeaveAsync(HttpContext context, string roomId, RoomMemberships memberships)
    {
        var user = ClientUser.Of(context);
        _ = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        await memberships.LeaveAsync(user.UserId, roomId, context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok([]);
    }

    private static async Task<IResult> InviteAsync(HttpContext context, string roomId, RoomInvites invites)
    {
        var user = ClientUser.Of(context);
        var body = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        await invites.InviteAsync(roomId, user.UserId, ClientJson.RequiredString(body, "user_id"), isDirect: false, context.RequestAborted)
            .ConfigureAwait(false);
        return ClientJson.Ok([]);
    }
}
