using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Tests.Fingerprints;

/// <summary>The test vectors of MSC4500 ("Test vectors": empty state and scenarios 1–5).</summary>
public sealed class Msc4500VectorTests
{
    private const string EmptyDigest = "200823e5158b3774c11b5c61850ada762f8264144a9bebec3ebac5a2adde67b8";
    private static readonly StateEntry Alice1 = new("m.room.member", "@alice:example.com", "$event_1");
    private static readonly StateEntry Name2 = new("m.room.name", "", "$event_2");
    private static readonly StateEntry Alice3 = new("m.room.member", "@alice:example.com", "$event_3");

    [Fact]
    public void The_empty_state_is_all_zeros_and_collapses_to_the_reserved_sentinel()
    {
        var empty = StateLattice.Empty();

        Assert.Equal("00000000000000000000000000000000", Prefix(empty));
        Assert.Equal(EmptyDigest, empty.Digest().ToString());
        Assert.Equal(EmptyDigest, StateDigest.Empty.ToString());
    }

    [Fact]
    public void Scenario_1_one_element_encodes_expands_and_collapses_as_published()
    {
        Assert.Equal(
            "0d006d2e726f6f6d2e6d656d626572120040616c6963653a6578616d706c652e636f6d246576656e745f31",
            Convert.ToHexStringLower(StateElement.Encode(Alice1.Type, Alice1.StateKey, Alice1.EventId)));
        Assert.Equal("d72df88a72ff61da6b2287649ff6001c", ExpansionPrefix(Alice1));

        var accumulator = StateAccumulator.Empty();
        accumulator.Add(Alice1);

        Assert.Equal("d72df88a72ff61da6b2287649ff6001c", Prefix(accumulator.Lattice));
        Assert.Equal("3bcd9f595b4b5c7095b300ec5cf37ff1ff3f79400643f7ba66171e150ddb6606", accumulator.Fingerprint().Digest.ToString());
        Assert.Equal(1, accumulator.Count);
    }

    [Fact]
    public void Scenario_2_removing_the_element_returns_to_the_empty_state()
    {
        var accumulator = StateAccumulator.Empty();
        accumulator.Add(Alice1);
        accumulator.Remove(Alice1);

        Assert.Equal("00000000000000000000000000000000", Prefix(accumulator.Lattice));
        Assert.Equal(EmptyDigest, accumulator.Fingerprint().Digest.ToString());
        Assert.Equal(0, accumulator.Count);
    }

    [Fact]
    public void Scenario_3_two_elements_sum_lane_wise()
    {
        Assert.Equal("0b006d2e726f6f6d2e6e616d650000246576656e745f32", Convert.ToHexStringLower(StateElement.Encode(Name2.Type, Name2.StateKey, Name2.EventId)));
        Assert.Equal("8c9d4997da61e28d7e6b83255fff064e", ExpansionPrefix(Name2));

        var accumulator = StateAccumulator.Of([Alice1, Name2]);

        Assert.Equal("63cb41224c614368e98d0a8afef5066a", Prefix(accumulator.Lattice));
        Assert.Equal("99d3ed0ae604d2fb5849f7280062e27ecea4425b64b25190e067e3d6a755680c", accumulator.Fingerprint().Digest.ToString());
    }

    [Fact]
    public void Scenario_4_replacing_the_membership_is_one_subtraction_and_one_addition()
    {
        Assert.Equal(
            "0d006d2e726f6f6d2e6d656d626572120040616c6963653a6578616d706c652e636f6d246576656e745f33",
            Convert.ToHexStringLower(StateElement.Encode(Alice3.Type, Alice3.StateKey, Alice3.EventId)));
        Assert.Equal("9dd1af20e6ee125f8e98969793b8c650", ExpansionPrefix(Alice3));

        var accumulator = StateAccumulator.Of([Alice1, Name2]);
        accumulator.Replace(Alice1, Alice3);

        Assert.Equal("296ff8b7c050f4ec0c0419bdf2b7cc9e", Prefix(accumulator.Lattice));
        Assert.Equal("8b611750bb056a38f9e3f9fcc74ae1f0771f12ade0daecc6963e302d15f8e67f", accumulator.Fingerprint().Digest.ToString());
        Assert.Equal(2, accumulator.Count);
    }

    [Fact]
    public void Scenario_5_the_shape_lattice_ignores_which_event_fills_a_slot()
    {
        Assert.Equal(
            "0d006d2e726f6f6d2e6d656d626572120040616c6963653a6578616d706c652e636f6d",
            Convert.ToHexStringLower(StateElement.EncodeShape(Alice1.Type, Alice1.StateKey)));
        Assert.Equal("0b006d2e726f6f6d2e6e616d650000", Convert.ToHexStringLower(StateElement.EncodeShape(Name2.Type, Name2.StateKey)));

        var shape = StateLattice.Empty();
        var expansion = new byte[StateLattice.Size];
        foreach (var entry in new[] { Alice1, Name2 })
        {
            StateElement.ExpandShape(entry.Type, entry.StateKey, expansion);
            shape.AddExpansion(expansion);
        }

        Assert.Equal("02d418079bc5b05d4b9a61f633b40dfb", Prefix(shape));
        Assert.Equal("9aab4968674238606d7be6c20bf85c2ecd7e7ae19f5c63313ed3c456a91d432d", shape.Digest().ToString());
    }

    [Fact]
    public void A_replacement_across_slots_fails_closed()
    {
        var accumulator = StateAccumulator.Of([Alice1]);

        Assert.Throws<InvalidOperationException>(() => accumulator.Replace(Alice1, Name2));
        Assert.Equal(1, accumulator.Count);
    }

    private static string Prefix(StateLattice lattice) => Convert.ToHexStringLower(lattice.Bytes[..16]);

    private static string ExpansionPrefix(StateEntry entry)
    {
        var expansion = new byte[StateElement.ExpansionSize];
        StateElement.Expand(entry.Type, entry.StateKey, entry.EventId, expansion);
        return Convert.ToHexStringLower(expansion.AsSpan(0, 16));
    }
}
