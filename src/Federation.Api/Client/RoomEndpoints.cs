using System.Text.Json.Nodes;
using Federation.Local.Events;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Federation.Api.Client;

/// <summary>
/// Creating rooms and sending and reading events as a local user: <c>createRoom</c>, <c>send</c> (idempotent per device
/// and transaction id), <c>state</c> (put and get) and <c>event</c>. Reading needs the caller to be joined (403 otherwise).
/// </summary>
public static class RoomEndpoints
{
    public static IEndpointRouteBuilder MapRoomEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/_matrix/client/v3/createRoom", CreateRoomAsync);
        endpoints.MapPut("/_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}", SendAsync);
        endpoints.MapPut("/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}", PutStateAsync);
        endpoints.MapPut(
            "/_matrix/client/v3/rooms/{roomId}/state/{eventType}",
            (HttpContext c, string roomId, string eventType, LocalEventBuilder builder) => PutStateAsync(c, roomId, eventType, "", builder));
        endpoints.MapGet("/_matrix/client/v3/rooms/{roomId}/state", GetStateAsync);
        endpoints.MapGet("/_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}", GetStateEventAsync);
        endpoints.MapGet(
            "/_matrix/client/v3/rooms/{roomId}/state/{eventType}",
            (HttpContext c, string roomId, string eventType, LocalRooms rooms, DagStore store) => GetStateEventAsync(c, roomId, eventType, "", rooms, store));
        endpoints.MapGet("/_matrix/client/v3/rooms/{roomId}/event/{eventId}", GetEventAsync);
        return endpoints;
    }

    private static async Task<IResult> CreateRoomAsync(HttpContext context, RoomCreator creator)
    {
        var user = ClientUser.Of(context);
        var body = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        var roomId = await creator.CreateAsync(user.UserId, CreateRoomRequestReader.Read(body), context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject { ["room_id"] = roomId });
    }

    private static async Task<IResult> SendAsync(
        HttpContext context, string roomId, string eventType, string txnId, LocalEventBuilder builder, ClientTransactions transactions)
    {
        var user = ClientUser.Of(context);
        var content = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        var eventId = await transactions.GetOrCreateAsync(
            user.UserId,
            user.DeviceId,
            roomId,
            txnId,
            async token => (await builder.CreateAsync(roomId, user.UserId, eventType, null, content, token).ConfigureAwait(false)).EventId,
            context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject { ["event_id"] = eventId });
    }

    private static async Task<IResult> PutStateAsync(HttpContext context, string roomId, string eventType, string stateKey, LocalEventBuilder builder)
    {
        var user = ClientUser.Of(context);
        var content = await ClientJson.ReadObjectAsync(context).ConfigureAwait(false);
        var pdu = await builder.CreateAsync(roomId, user.UserId, eventType, stateKey, content, context.RequestAborted).ConfigureAwait(false);
        return ClientJson.Ok(new JsonObject { ["event_id"] = pdu.EventId });
    }

    private static async Task<IResult> GetStateAsync(HttpContext context, string roomId, LocalRooms rooms, DagStore store)
    {
        var user = ClientUser.Of(context);
        var state = await rooms.StateForMemberAsync(roomId, user.UserId, context.RequestAborted).ConfigureAwait(false);
        var events = await store.GetEventsAsync(roomId, [.. state.Entries.Values], context.RequestAborted).ConfigureAwait(false);
        return Results.Text(new JsonArray([.. events.Select(e => (JsonNode)ClientEventFormat.Of(e))]).ToJsonString(), "application/json");
    }

    private static async Task<IResult> GetStateEventAsync(
        HttpContext context, string roomId, string eventType, string stateKey, LocalRooms rooms, DagStore store)
    {
        var user = ClientUser.Of(context);
        var state = await rooms.StateForMemberAsync(roomId, user.UserId, context.RequestAborted).ConfigureAwait(false);
        var stored = state[eventType, stateKey] is { } id
            ? (await store.GetEventsAsync(roomId, [id], context.RequestAborted).ConfigureAwait(false)).SingleOrDefault()
            : null;
        if (stored is null)
        {
            throw new MatrixException(ErrorCode.NotFound, "Event not found.", StatusCodes.Status404NotFound);
        }

        return ClientJson.Ok(ClientEventFormat.Of(stored)["content"]!.AsObject().DeepClone().AsObject());
    }

    private static async Task<IResult> GetEventAsync(HttpContext context, string roomId, string eventId, LocalRooms rooms, DagStore store)
    {
        var user = ClientUser.Of(context);
        _ = await rooms.StateForMemberAsync(roomId, user.UserId, context.RequestAborted).ConfigureAwait(false);
        // Ids of room version 3 contain '/', which arrives percent-encoded in a path segment.
        var id = Uri.UnescapeDataString(eventId);
        var stored = (await store.GetEventsAsync(roomId, [id], context.RequestAborted).ConfigureAwait(false)).SingleOrDefault();
        if (stored is null || stored.Status == EventStatus.Rejected)
        {
            throw new MatrixException(ErrorCode.NotFound, "Event not found.", StatusCodes.Status404NotFound);
        }

        return ClientJson.Ok(ClientEventFormat.Of(stored));
    }
}
