using System.Buffers.Text;
using System.Globalization;
using System.Text.Json.Nodes;
using Federation.Api.Authentication;
using Federation.Protocol.Errors;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Federation.Api.Rooms;

/// <summary>
/// State fingerprints over federation (docs/resync.md, "State fingerprints"):
/// MSC4500's <c>GET /_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/{roomId}?event_id=</c> (the raw
/// LtHash16 lattice, digest and entry count of the state after the event), and this project's
/// <c>GET /_matrix/federation/unstable/org.example.federation/state_digest/{roomId}</c> (the digest of the current
/// state and after each forward extremity; MSC4500 has no such endpoint). Both are authorised exactly like
/// <c>/state_ids</c> and limited per requesting server (<c>429 M_LIMIT_EXCEEDED</c> with <c>retry_after_ms</c>).
/// </summary>
public static class StateAccumulatorEndpoints
{
    public const string AccumulatorPath = "/_matrix/federation/unstable/tk.nutra.msc4500/state_accumulator/{roomId}";

    public const string DigestPath = "/_matrix/federation/unstable/org.example.federation/state_digest/{roomId}";

    /// <summary>The capability flag MSC4500 advertises in <c>/version</c>'s <c>unstable_features</c>.</summary>
    public const string UnstableFeature = "tk.nutra.msc4500.state_accumulator";

    public const string Algorithm = "lthash16";

    public static IEndpointRouteBuilder MapStateAccumulatorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(AccumulatorPath, GetAccumulatorAsync);
        endpoints.MapGet(DigestPath, GetCurrentDigestAsync);
        return endpoints;
    }

    private static async Task<IResult> GetAccumulatorAsync(HttpContext context, string roomId)
    {
        var origin = FederationRequest.Of(context).Origin;
        if (Limited(context, origin) is { } limited)
        {
            return limited;
        }

        var eventId = context.Request.Query["event_id"].FirstOrDefault();
        if (string.IsNullOrEmpty(eventId))
        {
            throw new MatrixException(ErrorCode.MissingParam, "The event_id query parameter is required");
        }

        var store = context.RequestServices.GetRequiredService<DagStore>();
        await EnsureMayReadAsync(context, roomId, origin).ConfigureAwait(false);
        var target = (await store.GetEventsAsync(roomId, [eventId], context.RequestAborted).ConfigureAwait(false)).SingleOrDefault();
        var fingerprint = target is null || target.IsOutlier || target.Status == EventStatus.Rejected
            ? null
            : await store.GetStateFingerprintAsync(roomId, eventId, StatePosition.After, context.RequestAborted).ConfigureAwait(false);
        if (fingerprint is null)
        {
            DivergenceMetrics.RecordServed("not_found");
            throw new MatrixException(ErrorCode.NotFound, "No state is held at that event in this room", 404);
        }

        DivergenceMetrics.RecordServed("ok");
        return Results.Json(new JsonObject
        {
            ["event_id"] = eventId,
            ["algorithm"] = Algorithm,
            ["lattice"] = Base64Url.EncodeToString(fingerprint.Lattice.Span),
            ["n_state_events"] = fingerprint.Count,
            ["digest"] = fingerprint.Digest.ToString(),
        });
    }

    private static async Task<IResult> GetCurrentDigestAsync(HttpContext context, string roomId)
    {
        var origin = FederationRequest.Of(context).Origin;
        if (Limited(context, origin) is { } limited)
        {
            return limited;
        }

        await EnsureMayReadAsync(context, roomId, origin).ConfigureAwait(false);
        var current = await context.RequestServices.GetRequiredService<CurrentFingerprintReader>()
            .ReadAsync(roomId, context.RequestAborted).ConfigureAwait(false);
        if (current is null)
        {
            DivergenceMetrics.RecordServed("not_found");
            throw new MatrixException(ErrorCode.NotFound, "No state is held for this room", 404);
        }

        DivergenceMetrics.RecordServed("ok");
        return Results.Json(new JsonObject
        {
            ["algorithm"] = Algorithm,
            ["digest"] = current.Fingerprint.Digest.ToString(),
            ["n_state_events"] = current.Fingerprint.Count,
            ["extremities"] = new JsonArray([.. current.Extremities.Select(e => (JsonNode)new JsonObject
            {
                ["event_id"] = e.EventId,
                ["digest"] = e.Fingerprint.Digest.ToString(),
                ["n_state_events"] = e.Fingerprint.Count,
            })]),
        });
    }

    private static async Task EnsureMayReadAsync(HttpContext context, string roomId, string origin)
    {
        try
        {
            await context.RequestServices.GetRequiredService<RoomAccess>()
                .EnsureMayReadAsync(roomId, origin, context.RequestAborted).ConfigureAwait(false);
        }
        catch (MatrixException)
        {
            DivergenceMetrics.RecordServed("forbidden");
            throw;
        }
    }

    private static IResult? Limited(HttpContext context, string origin)
    {
        if (context.RequestServices.GetRequiredService<FingerprintRateLimiter>().TryAcquire(origin, out var retryAfter))
        {
            return null;
        }

        DivergenceMetrics.RecordServed("limited");
        var milliseconds = (long)Math.Ceiling(retryAfter.TotalMilliseconds);
        context.Response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Results.Json(
            new JsonObject
            {
                ["errcode"] = ErrorCode.LimitExceeded,
                ["error"] = "Too many state accumulator requests",
                ["retry_after_ms"] = milliseconds,
            },
            statusCode: StatusCodes.Status429TooManyRequests);
    }
}
