using System.Text.Json;
using Federation.Fuzz.Tests.Generation;
using Federation.Fuzz.Tests.Harness;
using Federation.Ingest.Checks;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Fuzz.Tests.Properties;

/// <summary>
/// What must hold for any event a remote server sends: parsing gives an event or a <see cref="PduFormatException"/>
/// (<see cref="Pdu.TryParse"/> and the ingest format check never throw), and an event that parsed can go through
/// everything the receive path does next (signature and content-hash checks, redaction) without an exception. Its id
/// is stable when it is parsed again or re-encoded, and if it was mutated from a signed original, the signature
/// verifies only when the signed bytes are the original's and the content hash holds only when the whole event is.
/// </summary>
public static class PduReceiveProperty
{
    /// <returns>Whether the event parsed.</returns>
    public static bool Check(JsonElement json, RoomVersion version, OriginalPdu? original)
    {
        ArgumentNullException.ThrowIfNull(version);
        var outcome = PduFormatCheck.Check(json, version, enforceReferenceLimits: true, out var checkedPdu);
        if (!Pdu.TryParse(json, version, out var pdu, out _))
        {
            PropertyViolationException.Unless(!outcome.IsAccepted, "the format check accepted an event Pdu.TryParse refuses");
            _ = Assert.Throws<PduFormatException>(() => Pdu.Parse(json, version));
            return false;
        }

        PropertyViolationException.Unless(checkedPdu is null || checkedPdu.EventId == pdu.EventId, "the format check gave another event id");
        var again = Pdu.Parse(json, version);
        PropertyViolationException.Unless(again.EventId == pdu.EventId, "parsing the same event twice gave two event ids");
        using (var reencoded = JsonDocument.Parse(CanonicalJson.Encode(json)))
        {
            var fromCanonical = Pdu.Parse(reencoded.RootElement, version);
            PropertyViolationException.Unless(fromCanonical.EventId == pdu.EventId, $"the canonical re-encoding has event id {fromCanonical.EventId}, not {pdu.EventId}");
        }

        // Everything the receive path does with a parsed event must work on it.
        _ = pdu.ToString();
        var signedBytes = pdu.SignedBytes.ToArray();
        PropertyViolationException.Unless(signedBytes.AsSpan().SequenceEqual(EventHashes.SignedBytes(json, version)), "cached signed bytes differ from recomputed ones");
        var contentHashValid = EventSigning.HasValidContentHash(pdu);
        _ = EventSigning.RequiredSigners(pdu);
        var origin = FuzzKeys.Origin;
        _ = EventSigning.SignatureKeyIds(pdu, origin.ServerName);
        var verified = EventSigning.VerifySignature(pdu, origin.ServerName, origin.SigningKey.KeyId, origin.SigningKey.PublicKey);
        _ = ContentHashCheck.Apply(pdu);
        _ = Redaction.Redact(json, version);

        if (original is not null && verified)
        {
            PropertyViolationException.Unless(signedBytes.AsSpan().SequenceEqual(original.SignedBytes), "a mutated event verifies though its signed bytes changed");
            PropertyViolationException.Unless(pdu.EventId == original.EventId, $"a mutated event verifies with another event id {pdu.EventId}");
            if (contentHashValid)
            {
                PropertyViolationException.Unless(
                    JsonSigning.SignedBytes(json).AsSpan().SequenceEqual(original.CanonicalWithoutSignatures),
                    "a mutated event passes the signature and content-hash checks though its content changed");
            }
        }

        return true;
    }
}
