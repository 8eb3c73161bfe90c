namespace Federation.Fuzz.Tests.Harness;

/// <summary>
/// A small seeded generator (SplitMix64). Hand-written rather than <see cref="Random"/> so that a seed means the same
/// inputs on every runtime and machine: a failure reported with its seed can always be replayed.
/// </summary>
public sealed class FuzzRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>The generator of input <paramref name="index"/> of test <paramref name="test"/> in the run of <paramref name="seed"/>.</summary>
    public static FuzzRandom ForInput(ulong seed, string test, long index)
    {
        ArgumentNullException.ThrowIfNull(test);
        // FNV-1a of the test name, so that each test draws different inputs from the same run seed.
        var hash = 14695981039346656037UL;
        foreach (var c in test)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return new FuzzRandom(Mix(seed ^ Mix(hash) ^ Mix((ulong)index + 0x632BE59BD9B4E019UL)));
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A value in [0, <paramref name="exclusiveMax"/>).</summary>
    public int Next(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        return (int)(NextUInt64() % (ulong)exclusiveMax);
    }

    /// <summary>A value in [<paramref name="min"/>, <paramref name="exclusiveMax"/>).</summary>
    public int Next(int min, int exclusiveMax) => min + Next(exclusiveMax - min);

    /// <summary>A value in [<paramref name="min"/>, <paramref name="max"/>] over the whole long range.</summary>
    public long NextInt64(long min, long max)
    {
        var span = (ulong)(max - min) + 1;
        return span == 0 ? (long)NextUInt64() : min + (long)(NextUInt64() % span);
    }

    /// <summary>True with probability 1/<paramref name="n"/>.</summary>
    public bool OneIn(int n) => Next(n) == 0;

    public bool NextBool() => (NextUInt64() & 1) == 1;

    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Next(items.Count)];
    }

    public byte[] NextBytes(int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)NextUInt64();
        }

        return bytes;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
