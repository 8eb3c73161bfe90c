using System.Collections.Concurrent;

namespace Federation.Storage.Caching;

/// <summary>
/// A bounded concurrent map that forgets the least recently used half at a time: entries go into the young generation;
/// when it fills, it becomes the old one and the previous old one is dropped; an entry found only in the old generation
/// moves back into the young one. Holds at most twice <c>generationSize</c> entries (or, when entries are weighed, about
/// twice that total weight: a generation ages with the entry that fills it), and never counts a
/// <see cref="ConcurrentDictionary{TKey, TValue}"/> (its <c>Count</c> takes every lock of the table).
/// </summary>
public sealed class GenerationalMap<TKey, TValue>
    where TKey : notnull
{
    private readonly int generationSize;
    private readonly IEqualityComparer<TKey>? comparer;
    private readonly Func<TValue, int>? weigh;
    private readonly Lock rotation = new();
    private Generations generations;
    private long youngWeight;

    /// <param name="generationSize">Entries per generation, or their total weight when <paramref name="weigh"/> is given.</param>
    /// <param name="comparer">Compares keys; null: the default comparer.</param>
    /// <param name="weigh">The weight of an entry (for example its size in bytes); null: every entry weighs one.</param>
    public GenerationalMap(int generationSize, IEqualityComparer<TKey>? comparer = null, Func<TValue, int>? weigh = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(generationSize, 1);
        this.generationSize = generationSize;
        this.comparer = comparer;
        this.weigh = weigh;
        generations = new Generations(new(comparer), new(comparer));
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        var current = Volatile.Read(ref generations);
        if (current.Young.TryGetValue(key, out value!))
        {
            return true;
        }

        if (!current.Old.TryGetValue(key, out value!))
        {
            return false;
        }

        Set(key, value);
        return true;
    }

    /// <summary>
    /// As <see cref="TryGetValue"/>, but an entry found in the old generation stays there: for entries read about once,
    /// where moving them back would only age the others sooner.
    /// </summary>
    public bool TryPeek(TKey key, out TValue value)
    {
        var current = Volatile.Read(ref generations);
        return current.Young.TryGetValue(key, out value!) || current.Old.TryGetValue(key, out value!);
    }

    public void Set(TKey key, TValue value)
    {
        var current = Volatile.Read(ref generations);
        if (!current.Young.TryAdd(key, value))
        {
            current.Young[key] = value;
            return;
        }

        if (Interlocked.Add(ref youngWeight, weigh?.Invoke(value) ?? 1) >= generationSize)
        {
            Rotate(current);
        }
    }

    public void Remove(TKey key)
    {
        var current = Volatile.Read(ref generations);
        current.Young.TryRemove(key, out _);
        current.Old.TryRemove(key, out _);
    }

    private void Rotate(Generations full)
    {
        lock (rotation)
        {
            // Another writer may have rotated already; an entry added to the generation just aged is kept as old.
            if (Volatile.Read(ref generations) != full)
            {
                return;
            }

            Volatile.Write(ref generations, new Generations(new(comparer), full.Young));
            Volatile.Write(ref youngWeight, 0);
        }
    }

    private sealed record Generations(ConcurrentDictionary<TKey, TValue> Young, ConcurrentDictionary<TKey, TValue> Old);
}
