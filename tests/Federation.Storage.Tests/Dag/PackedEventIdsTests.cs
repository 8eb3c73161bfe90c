using Federation.Storage.Dag.State;

namespace Federation.Storage.Tests.Dag;

public sealed class PackedEventIdsTests
{
    [Fact]
    public void Ids_of_every_room_version_and_emptied_slots_round_trip_in_order()
    {
        string[] ids =
        [
            "$Rqnc-F-dvnEYJTyHq_iKxU2bZ1CI92-kuZq3a5lr5Zg", // room version 4 and later: url-safe base64 of a hash
            "$1234567890abcdef:example.org", // room versions 1–3: any local part and a server name
            "$weird id/with:colons:and spaces:server.test:8448",
            "$ünïcødé☃:sérver.test",
            string.Empty, // an emptied slot in a delta
            "$a",
        ];

        var packed = PackedEventIds.Pack(ids);

        Assert.Equal(ids, PackedEventIds.Unpack(packed, ids.Length));
    }

    [Fact]
    public void No_ids_pack_to_nothing() => Assert.Empty(PackedEventIds.Unpack(PackedEventIds.Pack([]), 0));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_value_holding_another_number_of_ids_than_its_row_is_refused(int count)
    {
        var packed = PackedEventIds.Pack(["$one:test", "$two:test"]);

        Assert.Throws<InvalidOperationException>(() => PackedEventIds.Unpack(packed, count));
    }

    [Fact]
    public void A_value_cut_inside_an_id_is_refused()
    {
        var packed = PackedEventIds.Pack(["$one:test", "$two:test"]);

        Assert.Throws<InvalidOperationException>(() => PackedEventIds.Unpack(packed.AsSpan(0, packed.Length - 1), 2));
    }
}
