using System.Security.Cryptography;
using System.Text.Json;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Protocol.Events;

/// <summary>The two SHA-256 hashes of an event (spec "Calculating the content hash" and "reference hash").</summary>
public static class EventHashes
{
    /// <summary>
    /// SHA-256 of the canonical event without <c>unsigned</c>, <c>signatures</c> and <c>hashes</c>: it covers the
    /// full, unredacted content and is carried in <c>hashes.sha256</c>.
    /// </summary>
    public static byte[] ContentHash(JsonElement pdu)
    {
        using var buffer = new PooledBufferWriter();
        CanonicalJson.WriteObjectWithout(pdu, buffer, "unsigned", "signatures", "hashes");
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>
    /// SHA-256 of the canonical redacted event without <c>signatures</c> and <c>unsigned</c>: the event id of room
    /// versions 3 and later, and (as bytes) exactly what the event's signatures sign.
    /// </summary>
    public static byte[] ReferenceHash(JsonElement pdu, RoomVersion version)
    {
        using var buffer = new PooledBufferWriter();
        Redaction.WriteRedacted(pdu, version, buffer, includeSignatures: false);
        return SHA256.HashData(buffer.WrittenSpan);
    }

    /// <summary>The bytes an event's signatures cover: its redacted canonical form without signatures and unsigned.</summary>
    public static byte[] SignedBytes(JsonElement pdu, RoomVersion version)
    {
        using var buffer = new PooledBufferWriter();
        Redaction.WriteRedacted(pdu, version, buffer, includeSignatures: false);
        return buffer.ToArray();
    }
}
