using System.Text.Json;
using System.Text.Json.Nodes;
using Federation.Ingest;
using Federation.Ingest.Access;
using Federation.Ingest.Checks;
using Federation.Ingest.State;
using Federation.Ingest.Store;
using Federation.Local.Events;
using Federation.Local.Outbound;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
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
    StateCalculator state,
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
        // A server the room's ACL shuts out could not send its join anyway (send_join and /send refuse it); say so now.
        if (!await AclAllowsAsync(roomId, version, origin, cancellationToken).ConfigureAwait(false))
        {
            throw new MatrixException(ErrorCode.Forbidden, $"{origin} is denied by the server ACL of {roomId}", 403);
        }

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

        // The ingestor answers "accepted" for an event it already holds with state, whatever it decided back then: a
        // join stored as rejected or soft-failed (or only as an outlier) must not be answered as a successful join.
        // From here until the join is queued nothing takes the request's token: the join may be stored already, and a
        // joining server hanging up must not keep it from the other servers.
        var stored = (await store.GetEventsAsync(roomId, [eventId], CancellationToken.None).ConfigureAwait(false)).SingleOrDefault();
        if (stored is not { Status: EventStatus.Accepted, IsOutlier: false })
        {
            var held = stored is null ? "not held" : $"held as {stored.Status}{(stored.IsOutlier ? " (outlier)" : "")}";
            throw new MatrixException(ErrorCode.Forbidden, $"The join is {held}, not accepted", 403);
        }

        var stateBefore = await store.GetStateAsync(roomId, eventId, StatePosition.Before, CancellationToken.None).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Accepted join {eventId} has no state");
        // The servers in the room before the join (spec: servers_in_room), which are also those to pass the join on to.
        var inRoom = await servers.JoinedServersAsync(new RoomState(stateBefore), pending: null, CancellationToken.None).ConfigureAwait(false);

        // The resident passes the join on; the joining server itself already has it.
        await outbound.EnqueueAsync(stored.Pdu, inRoom.Where(s => s != origin), CancellationToken.None).ConfigureAwait(false);

        var stateIds = await store.GetStateIdsAsync(roomId, eventId, StatePosition.Before, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Accepted join {eventId} has no state");
        var authChainIds = await store.GetAuthChainAsync(roomId, stateIds, includeGiven: false, cancellationToken).ConfigureAwait(false);
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

    private async Task<bool> AclAllowsAsync(string roomId, RoomVersion version, string origin, CancellationToken cancellationToken)
    {
        var current = await state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        if (current[EventTypes.ServerAcl, ""] is not { } aclId)
        {
            return true;
        }

        var acl = await store.GetEventsAsync(roomId, [aclId], cancellationToken).ConfigureAwait(false);
        return acl.Count == 0 || ServerAcl.FromContent(acl[0].Pdu.Content).Allows(origin);
    }

    private async Task<JsonArray> EventsAsync(string roomId, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var events = await store.GetEventsAsync(roomId, ids, cancellationToken).ConfigureAwait(false);
        return new JsonArray([.. events.Select(e => JsonNode.Parse(e.ServedJson.Span))]);
    }
}
