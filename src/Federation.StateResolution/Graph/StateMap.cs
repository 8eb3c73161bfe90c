namespace Federation.StateResolution.Graph;

/// <summary>
/// An immutable map from interned state-key numbers to interned event numbers of one <see cref="RoomGraph"/>: a 32-way
/// radix trie over the key number with path copying, so "state after E" shares almost everything with "state before
/// E", and two maps derived from one another are compared in time proportional to their differences
/// (<see cref="CollectDifferentKeys"/>) by skipping shared subtrees.
/// </summary>
public sealed class StateMap
{
    private const int Bits = 5;
    private const int Width = 1 << Bits;
    private const int Mask = Width - 1;

    private readonly object? _root;
    private readonly int _shift;

    private StateMap(object? root, int shift, int count)
    {
        _root = root;
        _shift = shift;
        Count = count;
    }

    public static StateMap Empty { get; } = new(null, 0, 0);

    public int Count { get; }

    /// <summary>The event number at <paramref name="key"/>, or -1.</summary>
    public int Get(int key)
    {
        if (key < 0 || _root is null || (key >> (_shift + Bits)) != 0)
        {
            return -1;
        }

        var node = _root;
        for (var shift = _shift; shift > 0; shift -= Bits)
        {
            node = ((Branch)node).Children[(key >> shift) & Mask];
            if (node is null)
            {
                return -1;
            }
        }

        return ((Leaf)node).Values[key & Mask] - 1;
    }

    public bool ContainsKey(int key) => Get(key) >= 0;

    /// <summary>A map with <paramref name="key"/> set to <paramref name="value"/>.</summary>
    public StateMap Set(int key, int value)
    {
        var builder = ToBuilder();
        builder.Set(key, value);
        return builder.ToStateMap();
    }

    /// <summary>A map without <paramref name="key"/>.</summary>
    public StateMap Remove(int key)
    {
        if (!ContainsKey(key))
        {
            return this;
        }

        var builder = ToBuilder();
        builder.Remove(key);
        return builder.ToStateMap();
    }

    public Builder ToBuilder() => new(_root, _shift, Count);

    /// <summary>Calls <paramref name="action"/> for every entry, in key order.</summary>
    public void ForEach(Action<int, int> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_root is not null)
        {
            ForEach(_root, _shift, 0, action);
        }
    }

    /// <summary>All entries, in key order.</summary>
    public List<KeyValuePair<int, int>> ToList()
    {
        var list = new List<KeyValuePair<int, int>>(Count);
        ForEach((k, v) => list.Add(new KeyValuePair<int, int>(k, v)));
        return list;
    }

    /// <summary>
    /// Adds to <paramref name="keys"/> every key whose entry differs between <paramref name="a"/> and
    /// <paramref name="b"/> (present in one only, or with different events). Subtrees the two maps share are skipped.
    /// </summary>
    public static void CollectDifferentKeys(StateMap a, StateMap b, List<int> keys)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(keys);
        if (ReferenceEquals(a._root, b._root))
        {
            return;
        }

        var shift = Math.Max(a._shift, b._shift);
        Diff(Lift(a._root, a._shift, shift), Lift(b._root, b._shift, shift), shift, 0, keys);
    }

    private static object? Lift(object? root, int fromShift, int toShift)
    {
        for (var shift = fromShift; shift < toShift && root is not null; shift += Bits)
        {
            var branch = new Branch(null);
            branch.Children[0] = root;
            root = branch;
        }

        return root;
    }

    private static void Diff(object? x, object? y, int shift, int baseKey, List<int> keys)
    {
        if (ReferenceEquals(x, y))
        {
            return;
        }

        if (shift == 0)
        {
            var vx = (x as Leaf)?.Values;
            var vy = (y as Leaf)?.Values;
            for (var i = 0; i < Width; i++)
            {
                if ((vx?[i] ?? 0) != (vy?[i] ?? 0))
                {
                    keys.Add(baseKey + i);
                }
            }

            return;
        }

        var cx = (x as Branch)?.Children;
        var cy = (y as Branch)?.Children;
        for (var i = 0; i < Width; i++)
        {
            var childX = cx?[i];
            var childY = cy?[i];
            if (!ReferenceEquals(childX, childY))
            {
                Diff(childX, childY, shift - Bits, baseKey + (i << shift), keys);
            }
        }
    }

    private static void ForEach(object node, int shift, int baseKey, Action<int, int> action)
    {
        if (shift == 0)
        {
            var values = ((Leaf)node).Values;
            for (var i = 0; i < Width; i++)
            {
                if (values[i] != 0)
                {
                    action(baseKey + i, values[i] - 1);
                }
            }

            return;
        }

        var children = ((Branch)node).Children;
        for (var i = 0; i < Width; i++)
        {
            if (children[i] is { } child)
            {
                ForEach(child, shift - Bits, baseKey + (i << shift), action);
            }
        }
    }

    /// <summary>
    /// A mutable view used to make many changes at once: nodes it created are changed in place, shared nodes are
    /// copied on first write. <see cref="ToStateMap"/> freezes the result; the builder can continue afterwards.
    /// </summary>
    public sealed class Builder
    {
        private object? _root;
        private int _shift;
        private int _count;
        private object _owner = new();

        internal Builder(object? root, int shift, int count)
        {
            _root = root;
            _shift = shift;
            _count = count;
        }

        public int Count => _count;

        public int Get(int key) => new StateMap(_root, _shift, _count).Get(key);

        public void Set(int key, int value)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(key);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            while (_root is not null && (key >> (_shift + Bits)) != 0)
            {
                var grown = new Branch(_owner);
                grown.Children[0] = _root;
                _root = grown;
                _shift += Bits;
            }

            if (_root is null)
            {
                _shift = 0;
                while ((key >> (_shift + Bits)) != 0)
                {
                    _shift += Bits;
                }
            }

            _root = SetIn(_root, _shift, key, value + 1);
        }

        public void Remove(int key)
        {
            if (key < 0 || _root is null || (key >> (_shift + Bits)) != 0 || Get(key) < 0)
            {
                return;
            }

            _root = SetIn(_root, _shift, key, 0);
        }

        public StateMap ToStateMap()
        {
            var map = new StateMap(_root, _shift, _count);
            _owner = new object();
            return map;
        }

        private object SetIn(object? node, int shift, int key, int stored)
        {
            if (shift == 0)
            {
                var leaf = node as Leaf;
                if (leaf is null || !ReferenceEquals(leaf.Owner, _owner))
                {
                    leaf = leaf is null ? new Leaf(_owner) : leaf.Copy(_owner);
                }

                ref var slot = ref leaf.Values[key & Mask];
                _count += (slot == 0 ? 1 : 0) - (stored == 0 ? 1 : 0);
                slot = stored;
                return leaf;
            }

            var branch = node as Branch;
            if (branch is null || !ReferenceEquals(branch.Owner, _owner))
            {
                branch = branch is null ? new Branch(_owner) : branch.Copy(_owner);
            }

            var index = (key >> shift) & Mask;
            branch.Children[index] = SetIn(branch.Children[index], shift - Bits, key, stored);
            return branch;
        }
    }

    private sealed class Leaf(object? owner)
    {
        public object? Owner { get; } = owner;

        public int[] Values { get; private init; } = new int[Width];

        public Leaf Copy(object owner) => new(owner) { Values = (int[])Values.Clone() };
    }

    private sealed class Branch(object? owner)
    {
        public object? Owner { get; } = owner;

        public object?[] Children { get; private init; } = new object?[Width];

        public Branch Copy(object owner) => new(owner) { Children = (object?[])Children.Clone() };
    }
}
