using System.Text.Json;
using Federation.Client.Http;
using Federation.Protocol.RoomVersions;
using Microsoft.Extensions.Logging;

namespace Federation.Ingest.Remote;

/// <summary>
/// The federation reads the receive pipeline makes of another server — <c>/get_missing_events</c>, <c>/event_auth</c>,
/// <c>/state_ids</c>, <c>/state</c>, <c>/event</c>, <c>/backfill</c> — with every event in an answer verified before it is returned.
/// A failed request or an answer of the wrong shape is logged and comes back empty (null), never as an exception:
/// remote servers are expected to fail.
/// </summary>
public sealed partial class RemoteRoomReader(FederationClient client, RemoteEventVerifier verifier, ILogger<RemoteRoomReader> logger)
{
    /// <summary>Most events or ids taken from one answer; the response size limit usually bounds it first.</summary>
    public const int MaxItemsPerAnswer = 250_000;

    /// <summary>
    /// <c>/get_missing_events</c>: the events between <paramref name="earliest"/> and <paramref name="latest"/>, those that
    /// verify, oldest first (by depth, then timestamp, then id, so the order does not depend on the answer's).
    /// </summary>
    public async Task<IReadOnlyList<VerifiedEvent>> GetMissingEventsAsync(
        string origin, string roomId, RoomVersion version, IReadOnlyList<string> earliest, IReadOnlyList<string> latest, int limit,
        CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToElement(new { earliest_events = earliest, latest_events = latest, limit, min_depth = 0 });
        using var response = await client.SendAsync(
            origin, HttpMethod.Post, "/_matrix/federation/v1/get_missing_events/" + Uri.EscapeDataString(roomId), body, sign: true, cancellationToken)
            .ConfigureAwait(false);
        var events = await VerifyArrayAsync(response, "events", roomId, version, enforceReferenceLimits: true, limit, cancellationToken)
            .ConfigureAwait(false);
        return events is null ? [] : [.. events.OrderBy(e => e.Pdu.Depth).ThenBy(e => e.Pdu.OriginServerTs).ThenBy(e => e.EventId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// <c>/backfill</c> from <paramref name="fromEvents"/>: those events and up to <paramref name="limit"/> of their
    /// ancestors in all, those that verify (older events may exceed today's reference limits), unordered.
    /// </summary>
    public async Task<IReadOnlyList<VerifiedEvent>> GetBackfillAsync(
        string origin, string roomId, RoomVersion version, IReadOnlyList<string> fromEvents, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fromEvents);
        var query = string.Concat(fromEvents.Select(id => "v=" + Uri.EscapeDataString(id) + "&"));
        using var response = await client.GetAsync(
            origin, $"/_matrix/federation/v1/backfill/{Uri.EscapeDataString(roomId)}?{query}limit={limit}", cancellationToken).ConfigureAwait(false);
        return await VerifyArrayAsync(response, "pdus", roomId, version, enforceReferenceLimits: false, limit, cancellationToken)
            .ConfigureAwait(false) ?? [];
    }

    /// <summary><c>/event_auth</c>: the auth chain of <paramref name="eventId"/>, those events that verify.</summary>
    public async Task<IReadOnlyList<VerifiedEvent>> GetAuthChainAsync(
        string origin, string roomId, RoomVersion version, string eventId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(
            origin, $"/_matrix/federation/v1/event_auth/{Uri.EscapeDataString(roomId)}/{Uri.EscapeDataString(eventId)}", cancellationToken)
            .ConfigureAwait(false);
        return await VerifyArrayAsync(response, "auth_chain", roomId, version, enforceReferenceLimits: false, MaxItemsPerAnswer, cancellationToken)
            .ConfigureAwait(false) ?? [];
    }

    /// <summary><c>/state_ids</c> at <paramref name="eventId"/>; null when the request or the answer's shape fails.</summary>
    public async Task<StateIdsAnswer?> GetStateIdsAsync(string origin, string roomId, string eventId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(
            origin, $"/_matrix/federation/v1/state_ids/{Uri.EscapeDataString(roomId)}?event_id={Uri.EscapeDataString(eventId)}", cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            LogRequestFailed(logger, "state_ids", eventId, origin, response.Failure ?? $"status {response.StatusCode}");
            return null;
        }

        var pduIds = StringArray(response.Body!.RootElement, "pdu_ids");
        var authChainIds = StringArray(response.Body.RootElement, "auth_chain_ids");
        if (pduIds is null || authChainIds is null)
        {
            LogRequestFailed(logger, "state_ids", eventId, origin, "'pdu_ids' and 'auth_chain_ids' must be arrays of strings");
            return null;
        }

        return new StateIdsAnswer(pduIds, authChainIds);
    }

    /// <summary><c>/state</c> at <paramref name="eventId"/>: the state and auth chain events that verify; null on failure.</summary>
    public async Task<IReadOnlyList<VerifiedEvent>?> GetStateAsync(
        string origin, string roomId, RoomVersion version, string eventId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(
            origin, $"/_matrix/federation/v1/state/{Uri.EscapeDataString(roomId)}?event_id={Uri.EscapeDataString(eventId)}", cancellationToken)
            .ConfigureAwait(false);
        var pdus = await VerifyArrayAsync(response, "pdus", roomId, version, enforceReferenceLimits: false, MaxItemsPerAnswer, cancellationToken)
            .ConfigureAwait(false);
        var authChain = await VerifyArrayAsync(response, "auth_chain", roomId, version, enforceReferenceLimits: false, MaxItemsPerAnswer, cancellationToken)
            .ConfigureAwait(false);
        return pdus is null || authChain is null ? null : [.. pdus, .. authChain];
    }

    /// <summary><c>/event</c>: the event <paramref name="eventId"/> when the answer holds exactly it and it verifies.</summary>
    public async Task<VerifiedEvent?> GetEventAsync(
        string origin, string roomId, RoomVersion version, string eventId, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(origin, "/_matrix/federation/v1/event/" + Uri.EscapeDataString(eventId), cancellationToken)
            .ConfigureAwait(false);
        if (!TryGetArray(response, "pdus", eventId, out var pdus) || pdus.GetArrayLength() != 1)
        {
            return null;
        }

        var (verified, _, outcome) = await verifier.VerifyAsync(
            pdus[0].Clone(), version, roomId, enforceReferenceLimits: false, expectedEventId: eventId, cancellationToken).ConfigureAwait(false);
        if (verified is null)
        {
            LogEventRefused(logger, eventId, origin, outcome.Reason);
        }

        return verified;
    }

    private async Task<List<VerifiedEvent>?> VerifyArrayAsync(
        FederationResponse response, string property, string roomId, RoomVersion version, bool enforceReferenceLimits, int limit,
        CancellationToken cancellationToken)
    {
        if (!TryGetArray(response, property, roomId, out var array))
        {
            return null;
        }

        var verified = new List<VerifiedEvent>();
        foreach (var item in array.EnumerateArray().Take(limit))
        {
            var (verifiedEvent, eventId, outcome) = await verifier.VerifyAsync(
                item.Clone(), version, roomId, enforceReferenceLimits, expectedEventId: null, cancellationToken).ConfigureAwait(false);
            if (verifiedEvent is null)
            {
                LogEventRefused(logger, eventId, response.Destination, outcome.Reason);
                continue;
            }

            verified.Add(verifiedEvent);
        }

        return verified;
    }

    private bool TryGetArray(FederationResponse response, string property, string subject, out JsonElement array)
    {
        array = default;
        if (!response.IsSuccess)
        {
            LogRequestFailed(logger, property, subject, response.Destination, response.Failure ?? $"status {response.StatusCode}");
            return false;
        }

        if (response.Body!.RootElement.ValueKind != JsonValueKind.Object
            || !response.Body.RootElement.TryGetProperty(property, out array) || array.ValueKind != JsonValueKind.Array)
        {
            LogRequestFailed(logger, property, subject, response.Destination, $"no '{property}' array in the answer");
            return false;
        }

        return true;
    }

    private static List<string>? StringArray(JsonElement root, string property)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var ids = new List<string>(Math.Min(array.GetArrayLength(), MaxItemsPerAnswer));
        foreach (var item in array.EnumerateArray().Take(MaxItemsPerAnswer))
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            ids.Add(item.GetString()!);
        }

        return ids;
    }

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Reading {What} for {Subject} from {Origin} failed: {Failure}")]
    private static partial void LogRequestFailed(ILogger logger, string what, string subject, string origin, string failure);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Event {EventId} from {Origin} refused: {Reason}")]
    private static partial void LogEventRefused(ILogger logger, string? eventId, string origin, string? reason);
}
