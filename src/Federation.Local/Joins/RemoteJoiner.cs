using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Client.Http;
using Federation.Ingest.Checks;
using Federation.Ingest.Store;
using Federation.Ingest.State;
using Federation.Local.Events;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;

namespace Federation.Local.Joins;

/// <summary>
/// Joins a local user to a room this server is not in: <c>make_join</c> to each candidate server in turn, our signed
/// join from the template, <c>send_join</c> (v2), the answer verified (<see cref="SendJoinResponseVerifier"/>), its state
/// and auth chain stored as outliers, then the join stored with that state as its state before. The join's prev events
/// are the resident's extremities, which we do not hold: they become the room's holes.
/// </summary>
public sealed partial class RemoteJoiner(
    FederationClient client,
    SendJoinResponseVerifier verifier,
    DagStore store,
    ServerIdentity identity,
    RoomLocks locks,
    TimeProvider time,
    ILogger<RemoteJoiner> logger)
{
    private static readonly string VersionQuery = string.Join('&', RoomVersion.All.Select(v => "ver=" + Uri.EscapeDataString(v.Id)));

    private readonly AuthChecks _auth = new(new StoreEventSource(store));

    /// <summary>Joins <paramref name="userId"/> through the first of <paramref name="servers"/> that lets it; returns the join.</summary>
    /// <exception cref="MatrixException"><c>404 M_NOT_FOUND</c> when no server could be asked, else the last refusal.</exception>
    public async Task<Pdu> JoinAsync(string userId, string roomId, IReadOnlyList<string> servers, CancellationToken cancellationToken)
    {
        var candidates = servers.Where(s => s != identity.ServerName).Distinct(StringComparer.Ordinal).ToArray();
        if (candidates.Length == 0)
        {
            throw new MatrixException(ErrorCode.NotFound, "No known servers to join the room through", 404);
        }

        MatrixException? last = null;
        foreach (var server in candidates)
        {
            try
            {
                return await JoinThroughAsync(server, userId, roomId, cancellationToken).ConfigureAwait(false);
            }
            catch (MatrixException e)
            {
                LogJoinFailed(logger, roomId, server, e.Message);
                last = e;
            }
        }

        throw last!;
    }

    private async Task<Pdu> JoinThroughAsync(string server, string userId, string roomId, CancellationToken cancellationToken)
    {
        var (template, version) = await MakeJoinAsync(server, userId, roomId, cancellationToken).ConfigureAwait(false);
        template["origin_server_ts"] = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (version.UsesV11Redaction)
        {
            template.Remove("origin");
        }
        else
        {
            template["origin"] = identity.ServerName;
        }

        // The joining server names the event (v1/v2) and signs it; nothing the resident put there is kept.
        template.Remove("signatures");
        template.Remove("event_id");
        Pdu join;
        try
        {
            join = EventSealing.SealChecked(template, version, identity);
        }
        catch (MatrixException e)
        {
            // The template is the resident's: a template that makes no valid event is that server failing, not our client.
            throw new MatrixException(ErrorCode.Unknown, $"{server} answered make_join with an unusable template: {e.Message}", 502);
        }


        using var response = await client.SendAsync(
            server,
            HttpMethod.Put,
            $"/_matrix/federation/v2/send_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(join.EventId)}",
            join.Json,
            sign: true,
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw Refused(response, "send_join");
        }

        var (verified, failure) = await verifier.VerifyAsync(server, roomId, version, join, response.Body!.RootElement, cancellationToken).ConfigureAwait(false);
        if (verified is null)
        {
            throw new MatrixException(ErrorCode.Unknown, $"{server} answered send_join with an unusable state: {failure}", 502);
        }

        using var held = await locks.AcquireAsync(roomId, cancellationToken).ConfigureAwait(false);
        await store.PersistEventsAsync(verified.Outliers, cancellationToken).ConfigureAwait(false);
        // Checked once more through the store, which now holds the state's events, as every stored event is.
        var allowed = await _auth.AgainstStateAsync(verified.Join, new RoomState(verified.StateBefore), cancellationToken).ConfigureAwait(false);
        if (!allowed.IsAccepted)
        {
            throw new MatrixException(ErrorCode.Forbidden, "The join is not allowed by the room's state: " + allowed.Reason, 403);
        }

        await store.PersistEventsAsync(
            [new EventToPersist(verified.Join) { StateBefore = StateBefore.Full(verified.StateBefore) }],
            cancellationToken).ConfigureAwait(false);
        return verified.Join;
    }

    private async Task<(JsonObject Template, RoomVersion Version)> MakeJoinAsync(
        string server, string userId, string roomId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(
            server,
            $"/_matrix/federation/v1/make_join/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(userId)}?{VersionQuery}",
            cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw Refused(response, "make_join");
        }

        var body = response.Body!.RootElement;
        if (body.ValueKind != JsonValueKind.Object)
        {
            // A malformed answer is that server failing; the next candidate is tried.
            throw new MatrixException(ErrorCode.Unknown, $"{server} answered make_join with a JSON {body.ValueKind}, not an object", 502);
        }

        var versionId = body.TryGetProperty("room_version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : "1";
        if (!RoomVersion.TryGet(versionId, out var version))
        {
            throw new MatrixException(ErrorCode.IncompatibleRoomVersion, $"{server} offered unsupported room version {versionId}");
        }

        if (!body.TryGetProperty("event", out var eventJson) || JsonNode.Parse(eventJson.GetRawText()) is not JsonObject template
            || Text(template["type"]) != EventTypes.Member
            || Text(template["state_key"]) != userId
            || Text(template["sender"]) != userId
            || Text(template["room_id"]) != roomId
            || template["content"] is not JsonObject content
            || Text(content["membership"]) != "join")
        {
            throw new MatrixException(ErrorCode.Unknown, $"{server} answered make_join with an unusable template", 502);
        }

        return (template, version);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static MatrixException Refused(FederationResponse response, string step) =>
        response.StatusCode is >= 400 and < 500
            ? new MatrixException(response.ErrorCode ?? ErrorCode.Forbidden, $"{step}: {response.Failure}", response.StatusCode == 404 ? 404 : 403)
            : new MatrixException(ErrorCode.Unknown, $"{step}: {response.Failure}", 502);

    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Joining {RoomId} through {Server} failed: {Reason}")]
    private static partial void LogJoinFailed(ILogger logger, string roomId, string server, string reason);
}
