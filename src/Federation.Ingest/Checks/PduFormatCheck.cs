using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Ingest.Checks;

/// <summary>
/// Step 1 of the receive checks: the event must be a valid event of its room version (strict canonical JSON from
/// version 6) and within the size limits. Failing events are dropped.
/// </summary>
public static class PduFormatCheck
{
    /// <param name="json">The event as received.</param>
    /// <param name="version">The room's version.</param>
    /// <param name="enforceReferenceLimits">
    /// Whether the prev/auth event count limits apply: they do for new events, not for history fetched with
    /// <c>/backfill</c>, where older accepted events may exceed them.
    /// </param>
    /// <param name="pdu">The parsed event when it passes.</param>
    public static PduOutcome Check(JsonElement json, RoomVersion version, bool enforceReferenceLimits, out Pdu? pdu)
    {
        pdu = null;
        if (json.ValueKind == JsonValueKind.Object && JsonMarshal.GetRawUtf8Value(json).Length > PduLimits.MaxEventBytes)
        {
            // The canonical form is never much shorter than what was sent, so only a large event needs encoding to know.
            int canonicalLength;
            try
            {
                canonicalLength = CanonicalJson.Encode(json).Length;
            }
            catch (CanonicalJsonException e)
            {
                return PduOutcome.Dropped(e.Message);
            }

            if (canonicalLength > PduLimits.MaxEventBytes)
            {
                return PduOutcome.Dropped($"Event is {canonicalLength} bytes, more than {PduLimits.MaxEventBytes}");
            }
        }

        if (!Pdu.TryParse(json, version, out var parsed, out var error))
        {
            return PduOutcome.Dropped(error);
        }

        if ((TooLong(parsed.Type, "type") ?? TooLong(parsed.StateKey, "state_key") ?? TooLong(parsed.Sender, "sender")
            ?? TooLong(parsed.RoomId, "room_id") ?? TooLong(parsed.EventId, "event id")) is { } tooLong)
        {
            return PduOutcome.Dropped(tooLong);
        }

        if (enforceReferenceLimits && parsed.PrevEvents.Count > PduLimits.MaxPrevEvents)
        {
            return PduOutcome.Dropped($"Event has {parsed.PrevEvents.Count} prev_events, more than {PduLimits.MaxPrevEvents}");
        }

        if (enforceReferenceLimits && parsed.AuthEvents.Count > PduLimits.MaxAuthEvents)
        {
            return PduOutcome.Dropped($"Event has {parsed.AuthEvents.Count} auth_events, more than {PduLimits.MaxAuthEvents}");
        }

        pdu = parsed;
        return PduOutcome.Accepted;
    }

    private static string? TooLong(string? value, string field) =>
        value is not null && Encoding.UTF8.GetByteCount(value) > PduLimits.MaxIdentifierBytes
            ? $"'{field}' is longer than {PduLimits.MaxIdentifierBytes} bytes"
            : null;
}
