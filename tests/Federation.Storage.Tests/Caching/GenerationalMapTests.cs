using Federation.Storage.Caching;

namespace Federation.Storage.Tests.Caching;

public sealed class GenerationalMapTests
{
    [Fact]
    public void What_was_set_is_found_until_two_generations_have_filled_after_it()
    {
        var map = new GenerationalMap<string, int>(generationSize: 4, StringComparer.Ordinal);
        map.Set("first", 1);
        SetMany(map, "a", 3);

        Assert.True(map.TryGetValue("first", out var value));
        Assert.Equal(1, value);

        // "first" was read back into the young generation above; without reads, two more generations forget it.
        SetMany(map, "b", 4);
        SetMany(map, "c", 4);
        Assert.False(map.TryGetValue("first", out _));
        Assert.False(map.TryGetValue("a1", out _));
        Assert.True(map.TryGetValue("c1", out _));
    }

    [Fact]
    public void An_entry_read_from_the_old_generation_outlives_the_next_rotation()
    {
        var map = new GenerationalMap<string, int>(generationSize: 4, StringComparer.Ordinal);
        SetMany(map, "a", 4);
        SetMany(map, "b", 2);
        Assert.True(map.TryGetValue("a1", out _));

        SetMany(map, "b", 4, from: 3);

        Assert.True(map.TryGetValue("a1", out _));
        Assert.False(map.TryGetValue("a2", out _));
    }

    [Fact]
    public void Setting_a_held_key_replaces_its_value_without_counting_it_again()
    {
        var map = new GenerationalMap<string, int>(generationSize: 3, StringComparer.Ordinal);
        map.Set("x", 1);
        map.Set("x", 2);
        map.Set("x", 3);

        // Counted once, "x" fills the young generation with "y" and "z" and ages with them; counted three times, it
        // would have aged alone and been forgotten when "w" filled the next generation.
        map.Set("y", 1);
        map.Set("z", 1);
        map.Set("w", 1);
        Assert.True(map.TryGetValue("x", out var value));
        Assert.Equal(3, value);
    }

    [Fact]
    public void Weighed_entries_fill_a_generation_by_their_weight()
    {
        var map = new GenerationalMap<string, int>(generationSize: 10, StringComparer.Ordinal, weigh: value => value);
        map.Set("heavy", 9);
        map.Set("light", 1);
        map.Set("next", 10);

        // "heavy" and "light" filled one generation, "next" alone the following one: the first has been forgotten.
        Assert.False(map.TryGetValue("heavy", out _));
        Assert.False(map.TryGetValue("light", out _));
        Assert.True(map.TryGetValue("next", out _));
    }

    [Fact]
    public void A_peeked_entry_stays_old_and_ages_out_with_its_generation()
    {
        var map = new GenerationalMap<string, int>(generationSize: 2, StringComparer.Ordinal);
        SetMany(map, "a", 2);

        Assert.True(map.TryPeek("a1", out var value));
        Assert.Equal(1, value);
        SetMany(map, "b", 2);

        Assert.False(map.TryPeek("a1", out _));
        Assert.True(map.TryPeek("b1", out _));
    }

    private static void SetMany(GenerationalMap<string, int> map, string prefix, int count, int from = 1)
    {
        for (var i = from; i < from + count; i++)
        {
            map.Set($"{prefix}{i}", i);
        }
    }
}
