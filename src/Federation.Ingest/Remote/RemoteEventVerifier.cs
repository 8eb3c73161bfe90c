using System.Text.Json;
using Federation.Client.Keys;
using Federation.Ingest.Checks;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;

namespace Federation.Ingest.Remote;

/// <summary>
/// Checks 1–3 for any event another server hands us, pushed or fetched: format for the room version, the room it
/// claims, no second create event, signatures (else dropped), content hash (else redacted).
/// </summary>
public sealed class RemoteEventVerifier(IRemoteServerKeys keys, DagStore store)
{
    private readonly PduSignatureCheck _signatures = new(keys);

    /// <param name="json">The event as received.</param>
    /// <param name="version">The room's version, which the event's format must follow.</param>
    /// <param name="roomId">The room the event must be in.</param>
    /// <param name="enforceReferenceLimits">
    /// True for events entering the timeline; false for history fetched as outliers, which older rules let grow.
    /// </param>
    /// <param name="expectedEventId">The id asked for, when the event was fetched by id: any other event is dropped.</param>
    /// <param name="cancellationToken">Cancels fetching signing keys.</param>
    /// <returns>The verified event, or null with the outcome (and the event id when the format check gave one).</returns>
    public async Task<(VerifiedEvent? Event, string? EventId, PduOutcome Outcome)> VerifyAsync(
        JsonElement json,
        RoomVersion version,
        string roomId,
        bool enforceReferenceLimits,
        string? expectedEventId,
        CancellationToken cancellationToken)
    {
        var format = PduFormatCheck.Check(json, version, enforceReferenceLimits, out var pdu);
        if (pdu is null)
        {
            return (null, null, format);
        }

        if (expectedEventId is not null && pdu.EventId != expectedEventId)
        {
            return (null, pdu.EventId, PduOutcome.Dropped($"Asked for {expectedEventId}, got {pdu.EventId}"));
        }

        if (pdu.RoomId != roomId)
        {
            return (null, pdu.EventId, PduOutcome.Dropped($"Event is in room {pdu.RoomId}, not {roomId}"));
        }

        if (pdu.IsCreateEvent && await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is not null)
        {
            // The room is held, so its create event is too: another one could only reset the room's state. A room not
            // held yet (being rebuilt from peers) takes its create event from the first answer stored.
            return (null, pdu.EventId, PduOutcome.Dropped("The room already has its create event"));
        }

        var signatures = await _signatures.CheckAsync(pdu, cancellationToken).ConfigureAwait(false);
        if (!signatures.IsAccepted)
        {
            return (null, pdu.EventId, signatures);
        }

        var (checkedPdu, redacted) = ContentHashCheck.Apply(pdu);
        return (new VerifiedEvent(checkedPdu, redacted ? checkedPdu.Json : null), checkedPdu.EventId, PduOutcome.Accepted);
    }
}
