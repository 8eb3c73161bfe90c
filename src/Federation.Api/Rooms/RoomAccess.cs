using System.Text.Json;
using Federation.Api.Access;
using Federation.Ingest.Access;
using Federation.Ingest.State;
using Federation.Protocol.Errors;
using Federation.Protocol.Events;
using Federation.Storage.Dag;

namespace Federation.Api.Rooms;

/// <summary>
/// Who may read a room over federation: the requesting server must be allowed by the room's server ACL and have a
/// joined user in the room's current state (as Synapse checks), else <c>403 M_FORBIDDEN</c>; and what it may see of an
/// event: events it may not see by history visibility are served redacted, not omitted.
/// </summary>
public sealed class RoomAccess(DagStore store, StateCalculator state)
{
    /// <summary>Throws <c>403 M_FORBIDDEN</c> unless <paramref name="origin"/> may read <paramref name="roomId"/>.</summary>
    public async Task EnsureMayReadAsync(string roomId, string origin, CancellationToken cancellationToken)
    {
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false)
            ?? throw Forbidden("This server is not in the room");
        var current = await state.CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        var events = await EventsOfAsync(current, origin, cancellationToken).ConfigureAwait(false);
        var acl = current[EventTypes.ServerAcl, ""] is { } aclId && events.TryGetValue(aclId, out var aclEvent)
            ? ServerAcl.FromContent(aclEvent.Content)
            : ServerAcl.AllowAll;
        if (!acl.Allows(origin))
        {
            throw Forbidden("Server is banned from this room by its server ACL");
        }

        if (!MembershipsOfServer(current, events, origin).Contains("join"))
        {
            throw Forbidden("Host not in room");
        }
    }

    /// <summary>The JSON to serve <paramref name="stored"/> to <paramref name="origin"/>: as held, or redacted when invisible.</summary>
    public async Task<JsonElement> ServableAsync(StoredEvent stored, string origin, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        JsonElement json;
        using (var document = JsonDocument.Parse(stored.ServedJson))
        {
            json = document.RootElement.Clone();
        }

        if (stored.IsOutlier)
        {
            return json;
        }

        var atEvent = await state.StateAfterAsync(stored.RoomId, stored.EventId, cancellationToken).ConfigureAwait(false);
        if (atEvent is null)
        {
            // Without the state at the event its visibility cannot be shown: serve it redacted.
            return Redaction.Redact(json, stored.Pdu.RoomVersion);
        }

        var events = await EventsOfAsync(atEvent, origin, cancellationToken).ConfigureAwait(false);
        var visibility = atEvent[EventTypes.HistoryVisibility, ""] is { } id && events.TryGetValue(id, out var visibilityEvent)
            && visibilityEvent.Content.TryGetProperty("history_visibility", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
        return HistoryVisibility.ServerMaySee(visibility, MembershipsOfServer(atEvent, events, origin))
            ? json
            : Redaction.Redact(json, stored.Pdu.RoomVersion);
    }

    private static MatrixException Forbidden(string message) => new(ErrorCode.Forbidden, message, 403);

    private static IEnumerable<string?> MembershipsOfServer(RoomState roomState, IReadOnlyDictionary<string, Pdu> events, string server) =>
        roomState.Entries
            .Where(e => e.Key.Type == EventTypes.Member && MatrixIds.ServerNameOf(e.Key.StateKey) == server)
            .Select(e => events.TryGetValue(e.Value, out var member) ? member.Membership : null);

    /// <summary>
    /// The events of the state that access decisions about <paramref name="server"/> read: the ACL, the history
    /// visibility, and the member events of that server's users only (never a whole big room's membership).
    /// </summary>
    private async Task<IReadOnlyDictionary<string, Pdu>> EventsOfAsync(RoomState roomState, string server, CancellationToken cancellationToken)
    {
        var ids = roomState.Entries
            .Where(e => e.Key.Type is EventTypes.ServerAcl or EventTypes.HistoryVisibility
                || (e.Key.Type == EventTypes.Member && MatrixIds.ServerNameOf(e.Key.StateKey) == server))
            .Select(e => e.Value)
            .ToArray();
        var stored = await store.GetEventsAsync(ids, cancellationToken).ConfigureAwait(false);
        return stored.ToDictionary(e => e.EventId, e => e.Pdu, StringComparer.Ordinal);
    }
}
