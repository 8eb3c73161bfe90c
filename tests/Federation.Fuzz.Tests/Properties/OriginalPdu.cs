using System.Text.Json;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Fuzz.Tests.Properties;

/// <summary>What a mutated PDU is compared with: the bytes its signature and its content hash covered before the mutation.</summary>
public sealed record OriginalPdu(string EventId, byte[] SignedBytes, byte[] CanonicalWithoutSignatures)
{
    /// <summary>The reference of a valid generated event (which must parse).</summary>
    public static OriginalPdu Of(JsonElement json, RoomVersion version)
    {
        var pdu = Pdu.Parse(json, version);
        return new OriginalPdu(pdu.EventId, pdu.SignedBytes.ToArray(), JsonSigning.SignedBytes(json));
    }
}
