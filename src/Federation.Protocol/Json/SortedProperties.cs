using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Federation.Protocol.Json;

/// <summary>An object's properties in canonical order (UTF-8 byte order of the unescaped names, which is code-point order).</summary>
/// <remarks>
/// The names are copied side by side into one pooled buffer, so sorting compares plain bytes instead of looking each
/// name up in the document again for every comparison.
/// </remarks>
internal readonly struct SortedProperties : IDisposable
{
    private readonly Entry[] _entries;
    private readonly byte[] _names;
    private readonly int _count;

    private SortedProperties(Entry[] entries, byte[] names, int count)
    {
        _entries = entries;
        _names = names;
        _count = count;
    }

    public static SortedProperties Of(JsonElement value)
    {
        var entries = ArrayPool<Entry>.Shared.Rent(Math.Max(value.GetPropertyCount(), 1));

        // The names, unescaped or not, are never longer than the object's own text, so the buffer never has to grow.
        var names = ArrayPool<byte>.Shared.Rent(JsonMarshal.GetRawUtf8Value(value).Length);
        var count = 0;
        var length = 0;
        foreach (var property in value.EnumerateObject())
        {
            var raw = JsonMarshal.GetRawUtf8PropertyName(property);
            ReadOnlySpan<byte> name = raw.IndexOf((byte)'\\') >= 0 ? CanonicalJson.UnescapedName(property) : raw;
            name.CopyTo(names.AsSpan(length));
            entries[count] = new Entry(property.Value, names, length, name.Length, count);
            count++;
            length += name.Length;
        }

        // Equal names (duplicate keys, which only lenient readers let through) keep their order, so that the encoding
        // does not depend on the sort algorithm and re-encoding an encoding gives the same bytes.
        entries.AsSpan(0, count).Sort(static (a, b) =>
        {
            var byName = a.Name.SequenceCompareTo(b.Name);
            return byName != 0 ? byName : a.Position.CompareTo(b.Position);
        });
        return new SortedProperties(entries, names, count);
    }

    public Enumerator GetEnumerator() => new(this);

    public void Dispose()
    {
        // Cleared so that a pooled array does not keep the document alive.
        ArrayPool<Entry>.Shared.Return(_entries, clearArray: true);
        ArrayPool<byte>.Shared.Return(_names);
    }

    /// <summary>One property: its unescaped UTF-8 name and its value.</summary>
    internal readonly ref struct Property(ReadOnlySpan<byte> name, JsonElement value)
    {
        public ReadOnlySpan<byte> Name { get; } = name;

        public JsonElement Value { get; } = value;
    }

    internal ref struct Enumerator(SortedProperties properties)
    {
        private int _index = -1;

        public readonly Property Current
        {
            get
            {
                var entry = properties._entries[_index];
                return new Property(entry.Name, entry.Value);
            }
        }

        public bool MoveNext() => ++_index < properties._count;
    }

    /// <summary>
    /// A value, where its name sits in the names buffer and its position in the object. The entry holds the buffer
    /// itself so that the comparison needs no state: a static lambda, which the runtime caches, instead of a closure
    /// allocated per object.
    /// </summary>
    internal readonly record struct Entry(JsonElement Value, byte[] Names, int NameStart, int NameLength, int Position)
    {
        public ReadOnlySpan<byte> Name => Names.AsSpan(NameStart, NameLength);
    }
}
