namespace Federation.Client.Caching;

/// <summary>
/// A thread-safe map that keeps at most <c>capacity</c> entries, dropping the least recently used. Per-destination
/// state is keyed by server names that remote input chooses, so an unbounded map would let anyone grow our memory.
/// </summary>
public sealed class BoundedCache<TKey, TValue>
    where TKey : notnull
{
    private readonly int _capacity;
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _entries;
    private readonly LinkedList<(TKey Key, TValue Value)> _recency = new();
    private readonly Lock _lock = new();

    public BoundedCache(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _entries = new Dictionary<TKey, LinkedListNode<(TKey, TValue)>>(comparer);
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public bool TryGetValue(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                Touch(node);
                value = node.Value.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    public TValue? GetValueOrDefault(TKey key) => TryGetValue(key, out var value) ? value : default;

    /// <summary>Adds or replaces the value of <paramref name="key"/>.</summary>
    public void Set(TKey key, TValue value)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                node.Value = (key, value);
                Touch(node);
                return;
            }

            Add(key, value);
        }
    }

    /// <summary>The value of <paramref name="key"/>, created by <paramref name="create"/> (under the cache's lock) when absent.</summary>
    public TValue GetOrAdd(TKey key, Func<TKey, TValue> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                Touch(node);
                return node.Value.Value;
            }

            var value = create(key);
            Add(key, value);
            return value;
        }
    }

    private void Add(TKey key, TValue value)
    {
        _entries[key] = _recency.AddFirst((key, value));
        if (_entries.Count > _capacity)
        {
            var oldest = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(oldest.Value.Key);
        }
    }

    private void Touch(LinkedListNode<(TKey Key, TValue Value)> node)
    {
        if (node != _recency.First)
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }
    }
}
