using Federation.Resync.Core.Reconciliation;

namespace Federation.Resync.Core.Tests.Reconciliation;

/// <summary>Random pairs of sets: the initiator learns exactly the symmetric difference, in few rounds, within the frame limit.</summary>
public sealed class ReconciliationPropertyTests
{
    public static TheoryData<int, int, int, int, int> Cases()
    {
        var data = new TheoryData<int, int, int, int, int>();
        var seed = 1;
        foreach (var size in new[] { 0, 1, 31, 32, 33, 500, 10_000 })
        {
            foreach (var overlapPercent in new[] { 0, 50, 99, 100 })
            {
                foreach (var frameSizeLimit in new[] { 0, 4096 })
                {
                    data.Add(seed++, size, overlapPercent, frameSizeLimit, 1000);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reconciliation_finds_exactly_the_symmetric_difference(int seed, int size, int overlapPercent, int frameSizeLimit, int timestampSpread)
    {
        var random = new Random(seed);
        var (a, b) = RandomPair(random, size, overlapPercent, timestampSpread);
        var (have, need, rounds) = Run(a, b, frameSizeLimit);

        Assert.Equal(a.Except(b).Select(i => i.Id).ToHashSet(), have);
        Assert.Equal(b.Except(a).Select(i => i.Id).ToHashSet(), need);
        Assert.InRange(rounds, 1, frameSizeLimit == 0 ? 6 : 400);
    }

    [Theory]
    [InlineData(11, 10_000, 10)]
    [InlineData(12, 10_000, 1_000)]
    [InlineData(13, 3_000, 3_000)]
    public void A_small_difference_in_a_large_set_takes_at_most_four_rounds(int seed, int size, int differences)
    {
        var random = new Random(seed);
        var b = Enumerable.Range(0, size).Select(i => WireFormatTests.Item((ulong)(i * 7), WireFormatTests.RandomId(random))).ToList();
        var a = b.OrderBy(_ => random.Next()).Skip(differences).ToList();
        var (have, need, rounds) = Run(a, b, 0);
        Assert.Empty(have);
        Assert.Equal(differences, need.Count);
        Assert.InRange(rounds, 1, 4);
    }

    private static (HashSet<ItemId> Have, HashSet<ItemId> Need, int Rounds) Run(
        List<ReconciliationItem> a, List<ReconciliationItem> b, int frameSizeLimit)
    {
        var ours = SortedItems.From(a);
        var theirs = SortedItems.From(b);
        var initiator = new ReconciliationInitiator(ours, frameSizeLimit);
        var message = initiator.Initiate();
        var rounds = 0;
        while (message is not null)
        {
            rounds++;
            Assert.True(rounds < 1000, "reconciliation does not terminate");
            if (frameSizeLimit != 0 && rounds > 1)
            {
                Assert.True(message.Length <= frameSizeLimit, $"initiator message of {message.Length} bytes");
            }

            var answer = ReconciliationResponder.Answer(theirs, message, frameSizeLimit);
            if (frameSizeLimit != 0)
            {
                Assert.True(answer.Length <= frameSizeLimit, $"answer of {answer.Length} bytes");
            }

            message = initiator.Reconcile(answer);
        }

        return ([.. initiator.Differences.Have], [.. initiator.Differences.Need], rounds);
    }

    private static (List<ReconciliationItem> A, List<ReconciliationItem> B) RandomPair(Random random, int size, int overlapPercent, int timestampSpread)
    {
        var shared = size * overlapPercent / 100;
        ReconciliationItem Next() => WireFormatTests.Item((ulong)random.Next(timestampSpread), WireFormatTests.RandomId(random));
        var common = Enumerable.Range(0, shared).Select(_ => Next()).ToList();
        var a = common.Concat(Enumerable.Range(0, size - shared).Select(_ => Next())).ToList();
        var b = common.Concat(Enumerable.Range(0, random.Next(size - shared + 1)).Select(_ => Next())).ToList();
        return (a, b);
    }
}
