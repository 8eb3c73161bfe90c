using System.Text.Json.Nodes;
using Federation.Ingest.Checks;
using Federation.Ingest.State;
using Federation.Ingest.Store;
using Federation.Local.Outbound;
using Federation.Protocol.Crypto;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.StateResolution.Auth;
using Federation.Storage.Dag;

namespace Federation.Local.Events;

/// <summary>
/// Creates events of local users: builds on the room's forward extremities (the 10 deepest, as Synapse), takes the
/// state before from their resolved states, cites the auth events the room version selects, checks the auth rules
/// (refusing with <c>403 M_FORBIDDEN</c>), persists and queues the event for every other server in the room. Events of
/// one room are created one at a time.
/// </summary>
public sealed class LocalEventBuilder(
    DagStore store,
    StateCalculator state,
    ServerIdentity identity,
    RoomLocks locks,
    OutboundPdus outbound,
    TimeProvider time)
{
    /// <summary>Most prev events a local event cites (Synapse's choice; the format allows 20).</summary>
    public const int MaxPrevEvents = 10;

    private readonly AuthChecks _auth = new(new StoreEventSource(store));

    /// <summary>Creates, persists and sends an event of <paramref name="sender"/> in a room this server is in.</summary>
    /// <exception cref="MatrixException"><c>404 M_NOT_FOUND</c> for a room we do not hold; <c>403 M_FORBIDDEN</c> when the auth rules refuse it.</exception>
    public async Task<Pdu> CreateAsync(
        string roomId, string sender, string type, string? stateKey, JsonObject content, CancellationToken cancellationToken)
    {
        await EnsureRoomKnownAsync(roomId, cancellationToken).ConfigureAwait(false);
        using var held = await locks.AcquireAsync(roomId, cancellationToken).ConfigureAwait(false);
        var draft = await DraftAsync(roomId, sender, type, stateKey, content, cancellationToken).ConfigureAwait(false);
        var pdu = EventSealing.SealChecked(draft.Json, draft.Version, identity);
        await EnsureAllowedAsync(pdu, draft.StateBefore, cancellationToken).ConfigureAwait(false);
        await PersistAsync(pdu, draft.PrevEvents, draft.StateBefore).ConfigureAwait(false);
        return pdu;
    }

    /// <summary>
    /// Builds, signs and checks an event without persisting it, for events another server must sign too (an invite
    /// of a remote user); <see cref="PersistPreparedAsync"/> stores it afterwards.
    /// </summary>
    public async Task<Pdu> PrepareAsync(
        string roomId, string sender, string type, string? stateKey, JsonObject content, CancellationToken cancellationToken)
    {
        await EnsureRoomKnownAsync(roomId, cancellationToken).ConfigureAwait(false);
        using var held = await locks.AcquireAsync(roomId, cancellationToken).ConfigureAwait(false);
        var draft = await DraftAsync(roomId, sender, type, stateKey, content, cancellationToken).ConfigureAwait(false);
        var pdu = EventSealing.SealChecked(draft.Json, draft.Version, identity);
        await EnsureAllowedAsync(pdu, draft.StateBefore, cancellationToken).ConfigureAwait(false);
        return pdu;
    }

    /// <summary>
    /// Persists and sends an event made by <see cref="PrepareAsync"/> (possibly countersigned since). Its state before
    /// is computed again from its prev events, which may no longer be the extremities, and the auth rules checked again.
    /// </summary>
    public async Task PersistPreparedAsync(Pdu pdu, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        // A countersignature made it larger than the event that was checked when it was sealed.
        var format = PduFormatCheck.Check(pdu.Json, pdu.RoomVersion, enforceReferenceLimits: true, out _);
        if (!format.IsAccepted)
        {
            throw new MatrixException(ErrorCode.TooLarge, "The countersigned event is not a valid event: " + format.Reason, 413);
        }

        using var held = await locks.AcquireAsync(pdu.RoomId, cancellationToken).ConfigureAwait(false);
        var stateBefore = await state.StateBeforeAsync(pdu, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The prev events of prepared event {pdu.EventId} have no state");
        await EnsureAllowedAsync(pdu, stateBefore, cancellationToken).ConfigureAwait(false);
        await PersistAsync(pdu, pdu.PrevEvents, stateBefore).ConfigureAwait(false);
    }

    /// <summary>
    /// 404 for a room we do not hold, checked before the room's lock is taken so that requests naming made-up rooms
    /// leave nothing behind in <see cref="RoomLocks"/>.
    /// </summary>
    private async Task EnsureRoomKnownAsync(string roomId, CancellationToken cancellationToken)
    {
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new MatrixException(ErrorCode.NotFound, "Unknown room", 404);
        }
    }

    private async Task EnsureAllowedAsync(Pdu pdu, RoomState stateBefore, CancellationToken cancellationToken)
    {
        var check = await _auth.AgainstStateAsync(pdu, stateBefore, cancellationToken).ConfigureAwait(false);
        if (!check.IsAccepted)
        {
            throw new MatrixException(ErrorCode.Forbidden, check.Reason ?? "The auth rules refuse this event", 403);
        }
    }

    /// <summary>
    /// Stores a checked event and queues it for the other servers in one transaction, so that it is never stored but
    /// unsent. Not cancellable: once the event is being stored, a client hanging up must not leave half of its
    /// recording done, so no step takes the request's token.
    /// </summary>
    private async Task PersistAsync(Pdu pdu, IReadOnlyList<string> prevEvents, RoomState stateBefore)
    {
        var before = prevEvents.Distinct(StringComparer.Ordinal).Count() == 1
            ? StateBefore.SameAsAfter(prevEvents[0])
            : StateBefore.Full(stateBefore.Entries);
        var queued = await outbound.PrepareAsync(pdu, stateBefore, CancellationToken.None).ConfigureAwait(false);
        await store.PersistEventsAlongsideAsync(
            [new EventToPersist(pdu) { StateBefore = before }], queued.Insert is { } insert ? [insert] : [], CancellationToken.None)
            .ConfigureAwait(false);
        await outbound.QueuedAsync(queued, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Creates and persists the create event of a new room; its room id is new (or, in v12, its own hash).</summary>
    public async Task<Pdu> CreateRoomAsync(RoomVersion version, string creator, JsonObject content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var json = Skeleton(version, creator, EventTypes.Create, "", content);
        if (!version.RoomIdIsCreateEventHash)
        {
            json["room_id"] = EventSealing.NewRoomId(identity);
        }

        json["prev_events"] = new JsonArray();
        json["auth_events"] = new JsonArray();
        json["depth"] = 1;
        var pdu = EventSealing.SealChecked(json, version, identity);
        var check = AuthEventsCheck.CheckCreate(pdu);
        if (!check.IsAllowed)
        {
            throw new MatrixException(ErrorCode.BadJson, "Invalid create event: " + check.Reason);
        }

        await store.PersistEventsAsync(
            [new EventToPersist(pdu) { StateBefore = StateBefore.Full(new Dictionary<StateSlot, string>()) }],
            cancellationToken).ConfigureAwait(false);
        return pdu;
    }

    /// <summary>
    /// Prepares an event on the room's current extremities without signing or persisting it (also for a remote
    /// sender: the make_join template).
    /// </summary>
    public async Task<EventDraft> DraftAsync(
        string roomId, string sender, string type, string? stateKey, JsonObject content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw new MatrixException(ErrorCode.NotFound, "Unknown room", 404);
        var extremities = (await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false)).Take(MaxPrevEvents).ToArray();
        if (extremities.Length == 0)
        {
            throw new MatrixException(ErrorCode.NotFound, "This server holds no timeline of the room", 404);
        }

        var prevs = await store.GetEventsAsync(roomId, extremities, cancellationToken).ConfigureAwait(false);
        var states = new List<RoomState>(prevs.Count);
        foreach (var prev in prevs)
        {
            states.Add(await state.StateAfterAsync(roomId, prev.EventId, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Forward extremity {prev.EventId} of {roomId} has no state"));
        }

        var stateBefore = await state.ResolveAsync(version, states, pending: null, cancellationToken).ConfigureAwait(false);
        var authIds = AuthEventSelection.Select(version, type, sender, stateKey, JsonSigning.ToElement(content))
            .Select(key => stateBefore[key.Type, key.Key])
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        var authEvents = version.UsesEventReferencePairs
            ? await store.GetEventsAsync(roomId, authIds, cancellationToken).ConfigureAwait(false)
            : [];

        var json = Skeleton(version, sender, type, stateKey, content);
        json["room_id"] = roomId;
        json["prev_events"] = References(version, prevs.Select(p => p.Pdu));
        json["auth_events"] = version.UsesEventReferencePairs
            ? References(version, authEvents.Select(a => a.Pdu))
            : new JsonArray([.. authIds.Select(id => (JsonNode)id)]);
        json["depth"] = Math.Min(prevs.Max(p => p.Pdu.Depth) + 1, CanonicalJson.MaxSafeInteger);
        return new EventDraft(json, version, stateBefore, [.. prevs.Select(p => p.EventId)]);
    }

    private JsonObject Skeleton(RoomVersion version, string sender, string type, string? stateKey, JsonObject content)
    {
        var json = new JsonObject
        {
            ["type"] = type,
            ["sender"] = sender,
            ["content"] = content.DeepClone(),
            ["origin_server_ts"] = time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        if (stateKey is not null)
        {
            json["state_key"] = stateKey;
        }

        if (!version.UsesV11Redaction)
        {
            // Older implementations expect the top-level origin, which room versions up to 10 still carry.
            json["origin"] = identity.ServerName;
        }

        return json;
    }

    /// <summary>Plain ids, or for room versions 1 and 2 <c>[id, {"sha256": reference hash}]</c> pairs.</summary>
    private static JsonArray References(RoomVersion version, IEnumerable<Pdu> events) =>
        new([.. events.Select(e => version.UsesEventReferencePairs
            ? new JsonArray(e.EventId, new JsonObject { ["sha256"] = UnpaddedBase64.Encode(EventHashes.ReferenceHash(e.Json, version)) })
            : (JsonNode)e.EventId)]);
}
