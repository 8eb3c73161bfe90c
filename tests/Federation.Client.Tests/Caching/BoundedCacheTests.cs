using Federation.Client.Caching;

namespace Federation.Client.Tests.Caching;

public sealed class BoundedCacheTests
{
    [Fact]
    public void Beyond_its_capacity_the_least_recently_used_entry_is_forgotten()
    {
        var cache = new BoundedCache<string, int>(2, StringComparer.Ordinal);
        cache.Set("a", 1);
        cache.Set("b", 2);
        Assert.True(cache.TryGetValue("a", out _));

        cache.Set("c", 3);

        Assert.Equal(2, cache.Count);
        Assert.True(cache.TryGetValue("a", out var a));
        Assert.Equal(1, a);
        Assert.False(cache.TryGetValue("b", out _));
        Assert.Equal(3, cache.GetValueOrDefault("c"));
    }

    [Fact]
    public void Get_or_add_creates_once_and_then_returns_the_same_value()
    {
        var cache = new BoundedCache<string, object>(10, StringComparer.Ordinal);
        var created = 0;

        var first = cache.GetOrAdd("x", _ => { created++; return new object(); });
        var second = cache.GetOrAdd("x", _ => { created++; return new object(); });

        Assert.Same(first, second);
        Assert.Equal(1, created);
    }

    [Fact]
    public void Replacing_a_value_keeps_one_entry()
    {
        var cache = new BoundedCache<string, int>(10, StringComparer.Ordinal);
        cache.Set("k", 1);
        cache.Set("k", 2);

        Assert.Equal(1, cache.Count);
        Assert.Equal(2, cache.GetValueOrDefault("k"));
    }
}
