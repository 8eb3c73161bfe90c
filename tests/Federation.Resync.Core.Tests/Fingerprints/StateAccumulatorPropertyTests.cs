using Federation.Resync.Core.Fingerprints;

namespace Federation.Resync.Core.Tests.Fingerprints;

/// <summary>Properties over random state maps (seeded, so a failure reproduces): 1,000 cases each.</summary>
public sealed class StateAccumulatorPropertyTests
{
    private const int Cases = 1_000;

    [Fact]
    public void The_order_entries_arrive_in_does_not_change_the_fingerprint()
    {
        var random = new Random(4500);
        for (var i = 0; i < Cases; i++)
        {
            var map = RandomMap(random);
            var shuffled = map.ToArray();
            random.Shuffle(shuffled);

            Assert.Equal(StateAccumulator.Of(map).Fingerprint(), StateAccumulator.Of(shuffled).Fingerprint());
        }
    }

    [Fact]
    public void Updating_change_by_change_equals_computing_the_final_map_from_scratch()
    {
        var random = new Random(4501);
        for (var i = 0; i < Cases; i++)
        {
            var map = RandomMap(random).ToDictionary(e => (e.Type, e.StateKey));
            var accumulator = StateAccumulator.Of(map.Values);
            for (var change = random.Next(1, 6); change > 0; change--)
            {
                var slots = map.Keys.ToArray();
                switch (random.Next(3))
                {
                    case 0 when slots.Length > 0:
                        var removed = slots[random.Next(slots.Length)];
                        accumulator.Remove(map[removed]);
                        map.Remove(removed);
                        break;
                    case 1 when slots.Length > 0:
                        var replaced = slots[random.Next(slots.Length)];
                        var next = map[replaced] with { EventId = EventId(random) };
                        accumulator.Replace(map[replaced], next);
                        map[replaced] = next;
                        break;
                    default:
                        var added = Entry(random);
                        if (map.TryAdd((added.Type, added.StateKey), added))
                        {
                            accumulator.Add(added);
                        }

                        break;
                }
            }

            Assert.Equal(StateAccumulator.Of(map.Values).Fingerprint(), accumulator.Fingerprint());
        }
    }

    [Fact]
    public void Removing_an_entry_just_added_restores_the_lattice()
    {
        var random = new Random(4502);
        for (var i = 0; i < Cases; i++)
        {
            var accumulator = StateAccumulator.Of(RandomMap(random));
            var before = accumulator.Clone();
            var entry = Entry(random);
            accumulator.Add(entry);
            accumulator.Remove(entry);

            Assert.True(before.Lattice.SameAs(accumulator.Lattice));
            Assert.Equal(before.Fingerprint(), accumulator.Fingerprint());
        }
    }

    [Fact]
    public void Different_maps_give_different_digests()
    {
        var random = new Random(4503);
        var seen = new Dictionary<StateDigest, string>();
        for (var i = 0; i < Cases; i++)
        {
            var map = RandomMap(random);
            var key = string.Join("|", map.Select(e => $"{e.Type}/{e.StateKey}/{e.EventId}").Order(StringComparer.Ordinal));
            var digest = StateAccumulator.Of(map).Fingerprint().Digest;
            Assert.True(!seen.TryGetValue(digest, out var other) || other == key, "two different maps collided");
            seen[digest] = key;
        }
    }

    [Fact]
    public void Digests_round_trip_through_bytes_and_hex()
    {
        var digest = StateAccumulator.Of([new StateEntry("m.room.create", "", "$c")]).Fingerprint().Digest;

        Assert.Equal(digest, StateDigest.FromBytes(digest.ToBytes()));
        Assert.True(StateDigest.TryParse(digest.ToString().ToUpperInvariant(), out var parsed));
        Assert.Equal(digest, parsed);
        Assert.False(StateDigest.TryParse("zz" + digest.ToString()[2..], out _));
        Assert.False(StateDigest.TryParse(digest.ToString()[1..], out _));
    }

    private static List<StateEntry> RandomMap(Random random)
    {
        var map = new Dictionary<(string, string), StateEntry>();
        for (var n = random.Next(0, 12); n > 0; n--)
        {
            var entry = Entry(random);
            map.TryAdd((entry.Type, entry.StateKey), entry);
        }

        return [.. map.Values];
    }

    private static StateEntry Entry(Random random) =>
        random.Next(3) == 0
            ? new StateEntry(random.Next(2) == 0 ? "m.room.topic" : "m.room.name", "", EventId(random))
            : new StateEntry("m.room.member", $"@u{random.Next(20)}:example.org", EventId(random));

    private static string EventId(Random random) => "$" + random.Next(1_000_000).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
