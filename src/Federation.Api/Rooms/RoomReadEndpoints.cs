using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Api.Authentication;
using Federation.Protocol.Errors;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Rooms;

/// <summary>
/// The read side of the federation API: <c>/event</c>, <c>/state_ids</c>, <c>/state</c>, <c>/event_auth</c>,
/// <c>/get_missing_events</c> and <c>/backfill</c>. Each first checks the requester may read the room (403), then
/// answers 404 for events it does not hold in that room with state (unknown, other room, outlier, rejected, as the
/// endpoint requires); history visibility redacts what the requester may not see.
/// </summary>
public static class RoomReadEndpoints
{
    public const int DefaultMissingEventsLimit = 10;

    public static IEndpointRouteBuilder MapRoomReadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/_matrix/federation/v1/event/{eventId}", GetEventAsync);
        endpoints.MapGet("/_matrix/federation/v1/state_ids/{roomId}", (HttpContext c, string roomId) => GetStateAsync(c, roomId, idsOnly: true));
        endpoints.MapGet("/_matrix/federation/v1/state/{roomId}", (HttpContext c, string roomId) => GetStateAsync(c, roomId, idsOnly: false));
        endpoints.MapGet("/_matrix/federation/v1/event_auth/{roomId}/{eventId}", GetEventAuthAsync);
        endpoints.MapPost("/_matrix/federation/v1/get_missing_events/{roomId}", GetMissingEventsAsync);
        endpoints.MapGet("/_matrix/federation/v1/backfill/{roomId}", GetBackfillAsync);
        return endpoints;
    }

    private static async Task<IResult> GetEventAsync(HttpContext context, string eventId)
    {
        var (store, access, origin) = Services(context);
        var stored = (await store.GetEventsAsync([eventId], context.RequestAborted).ConfigureAwait(false)).SingleOrDefault()
            ?? throw NotFound("Unknown event");
        await access.EnsureMayReadAsync(stored.RoomId, origin, context.RequestAborted).ConfigureAwait(false);
        var pdu = await access.ServableAsync(stored, origin, context.RequestAborted).ConfigureAwait(false);
        return Transaction(context, [pdu]);
    }

    private static async Task<IResult> GetStateAsync(HttpContext context, string roomId, bool idsOnly)
    {
        var (store, access, origin) = Services(context);
        var eventId = context.Request.Query["event_id"].FirstOrDefault();
        if (string.IsNullOrEmpty(eventId))
        {
            throw new MatrixException(ErrorCode.MissingParam, "The event_id query parameter is required");
        }

        await access.EnsureMayReadAsync(roomId, origin, context.RequestAborted).ConfigureAwait(false);
        var target = (await store.GetEventsAsync(roomId, [eventId], context.RequestAborted).ConfigureAwait(false)).SingleOrDefault();
        if (target is null || target.IsOutlier || target.Status == EventStatus.Rejected)
        {
            throw NotFound("No state is held at that event in this room");
        }

        // The state BEFORE the event, as the spec defines it (not including the event's own change).
        var stateIds = await store.GetStateIdsAsync(roomId, eventId, StatePosition.Before, context.RequestAborted).ConfigureAwait(false)
            ?? throw NotFound("No state is held at that event in this room");
        var authChainIds = await store.GetAuthChainAsync(roomId, stateIds, includeGiven: false, context.RequestAborted).ConfigureAwait(false);
        if (idsOnly)
        {
            return Json(new JsonObject { ["pdu_ids"] = Array(stateIds), ["auth_chain_ids"] = Array(authChainIds) });
        }

        return Json(new JsonObject
        {
            ["pdus"] = await PdusAsync(store, roomId, stateIds, context.RequestAborted).ConfigureAwait(false),
            ["auth_chain"] = await PdusAsync(store, roomId, authChainIds, context.RequestAborted).ConfigureAwait(false),
        });
    }

    private static async Task<IResult> GetEventAuthAsync(HttpContext context, string roomId, string eventId)
    {
        var (store, access, origin) = Services(context);
        await access.EnsureMayReadAsync(roomId, origin, context.RequestAborted).ConfigureAwait(false);
        var target = (await store.GetEventsAsync(roomId, [eventId], context.RequestAborted).ConfigureAwait(false)).SingleOrDefault();
        if (target is null || target.Status == EventStatus.Rejected)
        {
            throw NotFound("Unknown event in this room");
        }

        var chain = await store.GetAuthChainAsync(roomId, target.Pdu.AuthEvents.ToArray(), includeGiven: true, context.RequestAborted)
            .ConfigureAwait(false);
        return Json(new JsonObject { ["auth_chain"] = await PdusAsync(store, roomId, chain, context.RequestAborted).ConfigureAwait(false) });
    }

    private static async Task<IResult> GetMissingEventsAsync(HttpContext context, string roomId)
    {
        var (store, access, origin) = Services(context);
        var body = FederationRequest.Of(context).Body?.RootElement;
        if (body is not { ValueKind: JsonValueKind.Object } request
            || !TryReadIds(request, "earliest_events", out var earliest) || !TryReadIds(request, "latest_events", out var latest))
        {
            throw new MatrixException(ErrorCode.BadJson, "earliest_events and latest_events must be arrays of event ids");
        }

        var limit = request.TryGetProperty("limit", out var limitValue) && limitValue.TryGetInt32(out var asked) ? asked : DefaultMissingEventsLimit;
        await access.EnsureMayReadAsync(roomId, origin, context.RequestAborted).ConfigureAwait(false);
        var events = await store.GetMissingEventsAsync(roomId, earliest, latest, limit, context.RequestAborted).ConfigureAwait(false);
        var pdus = new JsonArray();
        foreach (var stored in events)
        {
            pdus.Add(JsonNode.Parse((await access.ServableAsync(stored, origin, context.RequestAborted).ConfigureAwait(false)).GetRawText()));
        }

        return Json(new JsonObject { ["events"] = pdus });
    }

    private static async Task<IResult> GetBackfillAsync(HttpContext context, string roomId)
    {
        var (store, access, origin) = Services(context);
        var from = context.Request.Query["v"].OfType<string>().Where(v => v.Length > 0).ToArray();
        if (from.Length == 0)
        {
            throw new MatrixException(ErrorCode.MissingParam, "At least one v query parameter is required");
        }

        if (!int.TryParse(context.Request.Query["limit"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit <= 0)
        {
            throw new MatrixException(ErrorCode.MissingParam, "A positive limit query parameter is required");
        }

        await access.EnsureMayReadAsync(roomId, origin, context.RequestAborted).ConfigureAwait(false);
        var events = await store.GetBackfillAsync(roomId, from, limit, context.RequestAborted).ConfigureAwait(false);
        var pdus = new List<JsonElement>(events.Count);
        foreach (var stored in events)
        {
            pdus.Add(await access.ServableAsync(stored, origin, context.RequestAborted).ConfigureAwait(false));
        }

        return Transaction(context, pdus);
    }

    private static (DagStore Store, RoomAccess Access, string Origin) Services(HttpContext context) =>
        (context.RequestServices.GetRequiredService<DagStore>(),
         context.RequestServices.GetRequiredService<RoomAccess>(),
         FederationRequest.Of(context).Origin);

    private static async Task<JsonArray> PdusAsync(DagStore store, string roomId, IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        var events = await store.GetEventsAsync(roomId, ids, cancellationToken).ConfigureAwait(false);
        return new JsonArray(events.Select(e => JsonNode.Parse(e.ServedJson.Span)).ToArray());
    }

    /// <summary>The single-transaction envelope <c>/event</c> and <c>/backfill</c> answer with.</summary>
    private static IResult Transaction(HttpContext context, IEnumerable<JsonElement> pdus)
    {
        var services = context.RequestServices;
        return Json(new JsonObject
        {
            ["origin"] = services.GetRequiredService<ServerIdentity>().ServerName,
            ["origin_server_ts"] = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds(),
            ["pdus"] = new JsonArray(pdus.Select(p => JsonNode.Parse(p.GetRawText())).ToArray()),
        });
    }

    private static IResult Json(JsonObject body) => Results.Bytes(CanonicalJson.Encode(JsonSigning.ToElement(body)), "application/json");

    private static JsonArray Array(IEnumerable<string> ids) => new(ids.Select(id => (JsonNode)id).ToArray());

    private static MatrixException NotFound(string message) => new(ErrorCode.NotFound, message, 404);

    private static bool TryReadIds(JsonElement request, string name, out string[] ids)
    {
        ids = [];
        if (!request.TryGetProperty(name, out var list) || list.ValueKind != JsonValueKind.Array
            || list.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String))
        {
            return false;
        }

        ids = list.EnumerateArray().Select(item => item.GetString()!).ToArray();
        return true;
    }
}
