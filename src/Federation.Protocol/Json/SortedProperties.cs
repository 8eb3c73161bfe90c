using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Federation.Protocol.Json;

/// <summary>An object's properties in canonical order (UTF-8 byte order of the unescaped names, which is code-point order).</summary>
internal readonly struct SortedProperties : IDisposable
{
    private readonly Entry[] _entries;
    private readonly int _count;

    private SortedProperties(Entry[] entries, int count)
    {
        _entries = entries;
        _count = count;
    }

    public ReadOnlySpan<Entry> Items => _entries.AsSpan(0, _count);

    public static SortedProperties Of(JsonElement value)
    {
        var entries = ArrayPool<Entry>.Shared.Rent(Math.Max(value.GetPropertyCount(), 1));
        var count = 0;
        foreach (var property in value.EnumerateObject())
        {
            var escaped = JsonMarshal.GetRawUtf8PropertyName(property).IndexOf((byte)'\\') >= 0;
            entries[count++] = new Entry(property, escaped ? CanonicalJson.UnescapedName(property) : null);
        }

        if (count > 1)
        {
            entries.AsSpan(0, count).Sort(static (a, b) => a.Name.SequenceCompareTo(b.Name));
        }

        return new SortedProperties(entries, count);
    }

    public void Dispose() => ArrayPool<Entry>.Shared.Return(_entries, clearArray: true);

    internal readonly record struct Entry(JsonProperty Property, byte[]? Unescaped)
    {
        public ReadOnlySpan<byte> Name => Unescaped ?? JsonMarshal.GetRawUtf8PropertyName(Property);
    }
}
