using Federation.Protocol.Events;

namespace Federation.Ingest.Checks;

/// <summary>
/// Step 3 of the receive checks: an event whose content does not match its <c>hashes.sha256</c> is not dropped but
/// replaced by its redacted form, which its signatures still cover, and processed on.
/// </summary>
public static class ContentHashCheck
{
    /// <returns>The event to go on with, and whether it had to be redacted.</returns>
    public static (Pdu Event, bool Redacted) Apply(Pdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        if (EventSigning.HasValidContentHash(pdu))
        {
            return (pdu, false);
        }

        var redacted = Pdu.WithTrustedId(Redaction.Redact(pdu.Json, pdu.RoomVersion), pdu.RoomVersion, pdu.EventId);
        return (redacted, true);
    }
}
