using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest;
using Federation.Ingest.Checks;
using Federation.Ingest.State;
using Federation.Ingest.Store;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Storage.Dag;

namespace Federation.Local.Joins;

/// <summary>
/// The resident side of joins over federation: <c>make_join</c> hands a template built on our extremities, and
/// <c>send_join</c> takes the signed join through the receive checks, answers with the state before it and its auth
/// chain, and sends the join on to the other servers in the room.
/// </summary>
public sealed class ResidentJoins(
    DagStore store,
    LocalEventBuilder builder,
    PduIngestor ingestor,
    RoomServers servers,
    OutboundPdus outbound,
    ServerIdentity identity)
{
    private readonly AuthChecks _auth = new(new StoreEventSource(store));

    /// <summary>The join template for <paramref name="userId"/>, asked by <paramref name="origin"/>, which supports <paramref name="versions"/>.</summary>
    public async Task<MakeJoinAnswer> MakeJoinAsync(
        string origin, string roomId, string userId, IReadOnlyCollection<string> versions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(versions);
        if (!MatrixIds.IsUserId(userId) || MatrixIds.ServerNameOf(userId) != origin)
        {
            throw new MatrixException(ErrorCode.Forbidden, $"{origin} may not make joins for {userId}", 403);
        }

        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.NotFound, "Unknown room", 404);
        if (!versions.Contains(version.Id))
        {
            return new MakeJoinAnswer(null, version);
        }

        var draft = await builder.DraftAsync(roomId, userId, EventTypes.Member, userId, new JsonObject { ["membership"] = "join" }, cancellationToken)
            .ConfigureAwait(false);
        if (!(await servers.JoinedServersAsync(draft.StateBefore, pending: null, cancellationToken).ConfigureAwait(false)).Contains(identity.ServerName))
        {
            throw new MatrixException(ErrorCode.Forbidden, "This server has no joined user in the room", 403);
        }

        // The auth rules judge the template as it would be sent; a placeholder names it where the version needs an id.
        var candidate = Pdu.WithTrustedId(JsonSigning.ToElement(draft.Json), version, "$make_join_template");
        var allowed = await _auth.AgainstStateAsync(candidate, draft.StateBefore, cancellationToken).ConfigureAwait(false);
        if (!allowed.IsAccepted)
        {
            throw new MatrixException(ErrorCode.Forbidden, "You are not allowed to join this room: " + allowed.Reason, 403);
        }

        return new MakeJoinAnswer(draft.Json, version);
    }

    /// <summary>Takes a signed join from <paramref name="origin"/>; returns the send_join (v2) answer.</summary>
    public async Task<JsonObject> SendJoinAsync(string origin, string roomId, string eventId, JsonElement body, CancellationToken cancellationToken)
    {
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.NotFound, "Unknown room", 404);
        if (!Pdu.TryParse(body, version, out var join, out var error))
        {
            throw new MatrixException(ErrorCode.BadJson, "The join is not a valid event: " + error);
        }

        if (join.EventId != eventId || join.RoomId != roomId)
        {
            throw new MatrixException(ErrorCode.BadJson, $"The event is {join.EventId} in {join.RoomId}, not {eventId} in {roomId}");
        }

        if (join.Type != EventTypes.Member || join.Membership != "join" || join.StateKey != join.Sender)
        {
            throw new MatrixException(ErrorCode.BadJson, "The event is not a join of its sender");
        }

        if (MatrixIds.ServerNameOf(join.Sender) != origin)
        {
            throw new MatrixException(ErrorCode.Forbidden, $"{origin} may not send joins of {join.Sender}", 403);
        }

        var (_, outcome) = await ingestor.ReceivePushedAsync(origin, body, cancellationToken).ConfigureAwait(false);
        if (!outcome.IsAccepted)
        {
            throw new MatrixException(ErrorCode.Forbidden, $"The join was not accepted ({outcome.Disposition}): {outcome.Reason}", 403);
        }

        var stateIds = await store.GetStateIdsAsync(roomId, eventId, StatePosition.Before, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Accepted join {eventId} has no state");
        var authChainIds = await store.GetAuthChainAsync(roomId, stateIds, includeGiven: false, cancellationToken).ConfigureAwait(false);
        var stateAfter = await store.GetStateAsync(roomId, eventId, StatePosition.After, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Accepted join {eventId} has no state");
        var inRoom = await servers.JoinedServersAsync(new RoomState(stateAfter), pending: null, cancellationToken).ConfigureAwait(false);
        var stored = (await store.GetEventsAsync(roomId, [eventId], cancellationToken).ConfigureAwait(false)).Single();

        // The resident passes the join on; the joining server itself already has it.
        await outbound.EnqueueAsync(stored.Pdu, inRoom.Where(s => s != origin), cancellationToken).ConfigureAwait(false);
        return new JsonObject
        {
            ["origin"] = identity.ServerName,
            ["event"] = JsonNode.Parse(stored.ServedJson.Span),
            ["state"] = await EventsAsync(roomId, stateIds, cancellationToken).ConfigureAwait(false),
            ["auth_chain"] = await EventsAsync(roomId, authChainIds, cancellationToken).ConfigureAwait(false),
            ["members_omitted"] = false,
            ["servers_in_room"] = new JsonArray([.. inRoom.Order(StringComparer.Ordinal).Select(s => (JsonNode)s)]),
        };
    }

    private async Task<JsonArray> EventsAsync(string roomId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var events = await store.GetEventsAsync(roomId, ids, cancellationToken).ConfigureAwait(false);
        return new JsonArray([.. events.Select(e => JsonNode.Parse(e.ServedJson.Span))]);
    }
}
