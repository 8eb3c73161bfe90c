using Federation.Resync.Core.Reconciliation;

namespace Federation.Resync.Core.Tests.Reconciliation;

/// <summary>The encodings of protocol v1 against vectors worked out by hand (hashes with an independent SHA-256).</summary>
public sealed class WireFormatTests
{
    [Theory]
    [InlineData(0UL, "00")]
    [InlineData(1UL, "01")]
    [InlineData(127UL, "7f")]
    [InlineData(128UL, "8100")]
    [InlineData(300UL, "822c")]
    [InlineData(16383UL, "ff7f")]
    [InlineData(16384UL, "818000")]
    [InlineData(ulong.MaxValue, "81ffffffffffffffff7f")]
    public void Varint_is_base_128_most_significant_digit_first(ulong value, string hex)
    {
        Span<byte> buffer = stackalloc byte[Varint.MaxLength];
        var length = Varint.Write(value, buffer);
        Assert.Equal(hex, Convert.ToHexStringLower(buffer[..length]));
        Assert.Equal(length, Varint.Length(value));
    }

    [Fact]
    public void Fingerprint_of_nothing_hashes_a_zero_sum_and_count_zero() =>
        Assert.Equal("7f9c9e31ac8256ca2f258583df262dbc", SortedItems.Empty.FingerprintOf(0, 0).ToString());

    [Fact]
    public void Fingerprint_sums_ids_as_little_endian_numbers_modulo_2_to_the_256()
    {
        // 1 + (2^256 - 1) wraps to 0.
        var items = SortedItems.From([Item(1, Id(0x01)), Item(2, Id(Enumerable.Repeat((byte)0xFF, 32).ToArray()))]);
        Assert.Equal("58cc2f44d3a27866874701fbad573da9", items.FingerprintOf(0, 2).ToString());
    }

    [Fact]
    public void Fingerprint_reads_the_first_id_byte_as_the_least_significant()
    {
        var last = new byte[32];
        last[31] = 2;
        var items = SortedItems.From([Item(1, Id(0x01)), Item(2, Id(last))]);
        Assert.Equal("a6f1098952aee4984dcca9f6adea8768", items.FingerprintOf(0, 2).ToString());
    }

    [Fact]
    public void Fingerprint_carries_between_64_bit_words()
    {
        var items = SortedItems.From([Item(1, Id(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)), Item(2, Id(0x01))]);
        Assert.Equal("fe77277fdc1349df808b365582fa9199", items.FingerprintOf(0, 2).ToString());
    }

    [Fact]
    public void Fingerprint_ends_with_the_count_as_a_varint() =>
        Assert.Equal("b53f5b9f0fd92f5376a1898ad07296ff", IdSum.Zero.ToFingerprint(300).ToString());

    [Fact]
    public void Fingerprint_of_a_range_is_the_difference_of_prefix_sums()
    {
        var random = new Random(7);
        var items = SortedItems.From(Enumerable.Range(0, 100).Select(_ => Item((ulong)random.Next(50), RandomId(random))));
        var sum = IdSum.Zero;
        for (var i = 20; i < 70; i++)
        {
            sum = sum.Add(IdSum.Of(items[i].Id));
        }

        Assert.Equal(sum.ToFingerprint(50), items.FingerprintOf(20, 70));
    }

    [Fact]
    public void A_small_set_opens_with_one_id_list_up_to_infinity()
    {
        var a = Id(0x0A);
        var b = Id(0x0B);
        var message = new ReconciliationInitiator(SortedItems.From([Item(5, b), Item(5, a)])).Initiate();
        // version, bound (infinity = 0, no id prefix), mode 2, two ids in (timestamp, id) order.
        Assert.Equal("61" + "00" + "00" + "02" + "02" + Hex(a) + Hex(b), Convert.ToHexStringLower(message));
    }

    [Fact]
    public void A_large_set_opens_with_16_buckets_bounded_by_the_shortest_separating_prefix()
    {
        // 32 items at timestamp 100 whose ids differ in the first byte only: 16 buckets of 2.
        var items = SortedItems.From(Enumerable.Range(0, 32).Select(i => Item(100, Id((byte)i))));
        var message = Convert.ToHexStringLower(new ReconciliationInitiator(items).Initiate());

        // First bucket: timestamp 100 as 1 + 100 = 0x65, a one-byte prefix 0x02 (the first id of the next bucket),
        // fingerprint mode, then the fingerprint of ids 0x00… and 0x01… (sum 1, count 2).
        Assert.StartsWith("61" + "65" + "01" + "02" + "01" + "6092a26dea6bc7bdc57a942f1df2d0d7", message, StringComparison.Ordinal);
        // Second bucket: the same timestamp (offset 0, encoded 1), prefix 0x04, fingerprint of sum 5.
        Assert.Equal("01" + "01" + "04" + "01" + "d27c48779563ae9b8f7bfc1ba05462c8", message.Substring(2 + 40, 40));
        // Last bucket: up to infinity.
        Assert.EndsWith("00" + "00" + "01" + "49b635eaf1a71067ba8867584f034368", message, StringComparison.Ordinal);
        Assert.Equal(1 + (15 * 20) + 19, message.Length / 2);
    }

    [Fact]
    public void Bounds_carry_the_timestamp_alone_when_neighbours_differ_in_time()
    {
        var items = SortedItems.From(Enumerable.Range(0, 32).Select(i => Item((ulong)(10 + (i / 2 * 3)), Id((byte)i))));
        var message = Convert.ToHexStringLower(new ReconciliationInitiator(items).Initiate());
        // Bucket 0 ends before timestamp 13 (encoded 14, no prefix); bucket 1 before 16 (offset 3, encoded 4).
        Assert.StartsWith("61" + "0e" + "00" + "01", message, StringComparison.Ordinal);
        Assert.Equal("04" + "00" + "01", message.Substring(2 + 38, 6));
    }

    [Fact]
    public void Identical_sets_settle_after_one_answer()
    {
        var items = SortedItems.From(Enumerable.Range(0, 1000).Select(i => Item((ulong)i, Id((byte)(i % 256), (byte)(i / 256)))));
        var initiator = new ReconciliationInitiator(items);
        var answer = ReconciliationResponder.Answer(items, initiator.Initiate());
        Assert.Equal("61", Convert.ToHexStringLower(answer));
        Assert.Null(initiator.Reconcile(answer));
    }

    [Fact]
    public void An_unknown_protocol_version_is_answered_with_the_version_spoken() =>
        Assert.Equal([0x61], ReconciliationResponder.Answer(SortedItems.Empty, [0x62, 0x00, 0x00, 0x00]));

    [Theory]
    [InlineData("")]
    [InlineData("01")]
    [InlineData("61" + "00" + "21")]
    [InlineData("61" + "00" + "00" + "07")]
    [InlineData("61" + "00" + "00" + "01" + "aabb")]
    [InlineData("61" + "00" + "00" + "02" + "05" + "aa")]
    [InlineData("61" + "ffffffffffffffffffff01")]
    public void Malformed_messages_are_refused(string hex) =>
        Assert.Throws<ReconciliationFormatException>(() => ReconciliationResponder.Answer(SortedItems.Empty, Convert.FromHexString(hex)));

    [Fact]
    public void A_frame_size_limit_below_4096_bytes_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconciliationInitiator(SortedItems.Empty, frameSizeLimit: 4095));

    internal static ReconciliationItem Item(ulong timestamp, ItemId id) => new(timestamp, id);

    internal static ItemId Id(params byte[] prefix) => ItemId.FromPrefix(prefix);

    internal static ItemId RandomId(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return ItemId.FromBytes(bytes);
    }

    private static string Hex(ItemId id) => id.ToString();
}
