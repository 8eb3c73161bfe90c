using System.Security.Cryptography;
using System.Text;
using Federation.Protocol.Crypto;
using Federation.Protocol.RoomVersions;
using Federation.Resync.Core.Reconciliation;

namespace Federation.Resync.Core.Tests.Reconciliation;

public sealed class RoomEventItemsTests
{
    [Fact]
    public void A_reference_hash_id_is_its_decoded_hash_and_maps_back()
    {
        var hash = SHA256.HashData("event"u8);
        var eventId = "$" + UnpaddedBase64.EncodeUrlSafe(hash);
        var item = RoomEventItems.For(eventId, 1234, EventIdFormat.ReferenceHashUrlSafeBase64);
        Assert.Equal(ItemId.FromBytes(hash), item.Id);
        Assert.Equal(1234UL, item.Timestamp);
        Assert.Equal(eventId, RoomEventItems.EventIdOf(item.Id, EventIdFormat.ReferenceHashUrlSafeBase64));
    }

    [Fact]
    public void A_room_version_3_id_uses_the_standard_alphabet()
    {
        var hash = Enumerable.Repeat((byte)0xFB, 32).ToArray();
        var eventId = "$" + UnpaddedBase64.Encode(hash);
        Assert.Contains("+", eventId, StringComparison.Ordinal);
        Assert.Equal(ItemId.FromBytes(hash), RoomEventItems.IdOf(eventId, EventIdFormat.ReferenceHashStandardBase64));
        Assert.Equal(eventId, RoomEventItems.EventIdOf(ItemId.FromBytes(hash), EventIdFormat.ReferenceHashStandardBase64));
    }

    [Fact]
    public void An_origin_chosen_id_is_hashed_and_cannot_be_mapped_back()
    {
        const string eventId = "$abc123:example.org";
        var id = RoomEventItems.IdOf(eventId, EventIdFormat.OriginSupplied);
        Assert.Equal(ItemId.FromBytes(SHA256.HashData(Encoding.UTF8.GetBytes(eventId))), id);
        Assert.Null(RoomEventItems.EventIdOf(id, EventIdFormat.OriginSupplied));
    }

    [Fact]
    public void A_negative_timestamp_counts_as_zero() =>
        Assert.Equal(0UL, RoomEventItems.For("$x:y", -5, EventIdFormat.OriginSupplied).Timestamp);

    [Fact]
    public void A_window_holds_its_start_and_not_its_end()
    {
        var window = ReconcileScope.Window(100, 200);
        Assert.True(window.Contains(100));
        Assert.False(window.Contains(200));
        Assert.True(ReconcileScope.All.Contains(long.MinValue));
    }
}
