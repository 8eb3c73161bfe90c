using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Federation.Protocol.Crypto;
using Federation.Protocol.RoomVersions;

namespace Federation.Resync.Core.Reconciliation;

/// <summary>
/// How a room's events become reconciliation records. Every event a server holds for the room counts — accepted,
/// soft-failed, rejected (so a rejected event is not fetched and rejected again at every round) and outliers — since the
/// question is "which events does the other server hold that we have never received".
/// <list type="bullet">
/// <item>Id: the event's 32-byte reference hash, read back from the event id where the id is that hash (room versions 3
/// and later, in their base64 alphabet), so an id learnt from the other side names the event to fetch; for versions 1
/// and 2, whose ids the origin chose, SHA-256 of the id's UTF-8 bytes, which cannot be turned back into an id.</item>
/// <item>Timestamp: <c>origin_server_ts</c>, the same on every server since it is signed; negative values count as 0.
/// Only efficiency depends on it (recent differences land in few ranges), never correctness.</item>
/// </list>
/// </summary>
public static class RoomEventItems
{
    /// <summary>The record of one event.</summary>
    public static ReconciliationItem For(string eventId, long originServerTs, EventIdFormat format) =>
        new((ulong)Math.Max(originServerTs, 0), IdOf(eventId, format));

    /// <summary>The record id of <paramref name="eventId"/>.</summary>
    public static ItemId IdOf(string eventId, EventIdFormat format)
    {
        ArgumentNullException.ThrowIfNull(eventId);
        Span<byte> hash = stackalloc byte[ItemId.Size];
        if (format != EventIdFormat.OriginSupplied && eventId.Length == 44 && eventId[0] == '$' && TryDecodeHash(eventId.AsSpan(1), format, hash))
        {
            return ItemId.FromBytes(hash);
        }

        // An origin-chosen id, or one that is not a well-formed hash: hashed, so it still takes part.
        SHA256.HashData(Encoding.UTF8.GetBytes(eventId), hash);
        return ItemId.FromBytes(hash);
    }

    /// <summary>The event id a record id stands for, or null where ids are not reference hashes (room versions 1 and 2).</summary>
    public static string? EventIdOf(ItemId id, EventIdFormat format)
    {
        Span<byte> hash = stackalloc byte[ItemId.Size];
        id.WriteTo(hash);
        return format switch
        {
            EventIdFormat.ReferenceHashUrlSafeBase64 => "$" + UnpaddedBase64.EncodeUrlSafe(hash),
            EventIdFormat.ReferenceHashStandardBase64 => "$" + UnpaddedBase64.Encode(hash),
            _ => null,
        };
    }

    private static bool TryDecodeHash(ReadOnlySpan<char> text, EventIdFormat format, Span<byte> hash)
    {
        if (format == EventIdFormat.ReferenceHashUrlSafeBase64)
        {
            return Base64Url.TryDecodeFromChars(text, hash, out var written) && written == ItemId.Size;
        }

        return UnpaddedBase64.TryDecode(text.ToString(), out var bytes) && bytes.Length == ItemId.Size && bytes.AsSpan().TryCopyTo(hash);
    }
}
