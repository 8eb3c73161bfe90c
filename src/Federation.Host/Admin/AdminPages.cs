using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest.State;
using Federation.Local.Rooms;
using Federation.Protocol.Errors;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Federation.Host.Admin;

/// <summary>
/// The admin routes: <c>/_admin/rooms.json</c> (rooms held), <c>/_admin/rooms/{roomId}/dag</c> (the DAG page: a
/// self-contained HTML page with an inline script that draws SVG; no external assets),
/// <c>/_admin/rooms/{roomId}/dag.json?limit=N</c> (what the page draws) and
/// <c>/_admin/rooms/{roomId}/event.json?event_id=...</c> (one event's JSON and the state before it) and
/// <c>/_admin/rooms/{roomId}/divergence.json</c> (our state fingerprints and the latest divergence report, read from the
/// database); and one action, <c>POST /_admin/rooms/{roomId}/merge</c> (merge events joining the room's forks).
/// </summary>
public static class AdminPages
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private static readonly Lazy<string> DagPage = new(() =>
    {
        using var stream = typeof(AdminPages).Assembly.GetManifestResourceStream("Federation.Host.Admin.dag.html")
            ?? throw new InvalidOperationException("The DAG page is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static void MapAdminPages(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/_admin/rooms.json", async (DagStore store, CancellationToken cancellationToken) =>
            Results.Json(await store.GetRoomListingsAsync(cancellationToken).ConfigureAwait(false), Json));
        app.MapGet("/_admin/rooms/{roomId}/dag", (string roomId) => Results.Content(DagPage.Value, "text/html; charset=utf-8"));
        app.MapGet("/_admin/rooms/{roomId}/dag.json", DagAsync);
        app.MapGet("/_admin/rooms/{roomId}/event.json", EventAsync);
        app.MapGet("/_admin/rooms/{roomId}/divergence.json", DivergenceAsync);
        app.MapPost("/_admin/rooms/{roomId}/merge", MergeAsync);
    }

    /// <summary>The one action of the admin listener: joins the room's forks with merge events (docs/resync.md,
    /// "No majority").</summary>
    private static async Task<IResult> MergeAsync(string roomId, RoomMerger merger, CancellationToken cancellationToken)
    {
        try
        {
            var merge = await merger.MergeAsync(roomId, cancellationToken).ConfigureAwait(false);
            return Results.Json(merge, Json);
        }
        catch (MatrixException e)
        {
            return Results.Json(new { errcode = e.ErrorCode, error = e.Message }, Json, statusCode: e.StatusCode);
        }
    }

    private static async Task<IResult> DivergenceAsync(string roomId, DagStore store, DivergenceReportStore reports, CancellationToken cancellationToken)
    {
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is null)
        {
            return Results.Json(new { error = $"this server holds no room {roomId}" }, Json, statusCode: StatusCodes.Status404NotFound);
        }

        var current = await new CurrentFingerprintReader(store, new StateCalculator(store)).ReadAsync(roomId, cancellationToken).ConfigureAwait(false);
        var latest = await reports.LatestAsync(roomId, cancellationToken).ConfigureAwait(false);
        return Results.Content(DivergenceJson.Of(roomId, current, latest).ToJsonString(), "application/json");
    }

    private static async Task<IResult> DagAsync(
        string roomId, int? limit, DagStore store, DivergenceReportStore reports, IOptions<AdminOptions> options, CancellationToken cancellationToken)
    {
        var max = options.Value.DagMaxLimit;
        if (limit is < 1 || limit > max)
        {
            return Results.Json(new { error = $"limit must be 1 to {max}" }, Json, statusCode: StatusCodes.Status400BadRequest);
        }

        var view = await new DagViewBuilder(store, reports).BuildAsync(roomId, limit ?? options.Value.DagDefaultLimit, cancellationToken).ConfigureAwait(false);
        return view is null
            ? Results.Json(new { error = $"this server holds no room {roomId}" }, Json, statusCode: StatusCodes.Status404NotFound)
            : Results.Json(view, Json);
    }

    private static async Task<IResult> EventAsync(
        string roomId, [FromQuery(Name = "event_id")] string? eventId, DagStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(eventId)
            || (await store.GetEventsAsync(roomId, [eventId], cancellationToken).ConfigureAwait(false)) is not [var stored])
        {
            return Results.Json(new { error = $"{roomId} holds no event {eventId}" }, Json, statusCode: StatusCodes.Status404NotFound);
        }

        var state = await store.GetStateAsync(roomId, eventId, StatePosition.Before, cancellationToken).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["event_id"] = stored.EventId,
            ["status"] = stored.Status switch { EventStatus.Rejected => "rejected", EventStatus.SoftFailed => "soft_failed", _ => "accepted" },
            ["rejection_reason"] = stored.RejectionReason,
            ["outlier"] = stored.IsOutlier,
            ["event"] = JsonNode.Parse(stored.Json.Span),
            ["state_before"] = state is null ? null : new JsonArray([.. state
                .OrderBy(e => e.Key.Type, StringComparer.Ordinal).ThenBy(e => e.Key.StateKey, StringComparer.Ordinal)
                .Select(e => (JsonNode)new JsonArray(e.Key.Type, e.Key.StateKey, e.Value))]),
        };
        return Results.Content(body.ToJsonString(), "application/json");
    }
}
