using Federation.StateResolution.Graph;

namespace Federation.StateResolution.Tests.Graph;

public class StateMapTests
{
    [Fact]
    public void Set_returns_a_new_map_and_leaves_the_old_one_unchanged()
    {
        var empty = StateMap.Empty;
        var one = empty.Set(5, 50);
        var two = one.Set(5000, 7);
        Assert.Equal(-1, empty.Get(5));
        Assert.Equal(50, one.Get(5));
        Assert.Equal(-1, one.Get(5000));
        Assert.Equal(7, two.Get(5000));
        Assert.Equal(2, two.Count);
        Assert.Equal(1, two.Remove(5).Count);
        Assert.Equal(50, two.Get(5));
    }

    [Fact]
    public void Different_keys_are_found_by_skipping_shared_subtrees()
    {
        var builder = StateMap.Empty.ToBuilder();
        for (var i = 0; i < 100_000; i++)
        {
            builder.Set(i, i);
        }

        var big = builder.ToStateMap();
        var changed = big.Set(70_000, 1).Remove(3).Set(200_000, 9);
        var keys = new List<int>();
        StateMap.CollectDifferentKeys(big, changed, keys);
        Assert.Equal([3, 70_000, 200_000], keys.Order());
        keys.Clear();
        StateMap.CollectDifferentKeys(changed, big, keys);
        Assert.Equal(3, keys.Count);
    }

    [Fact]
    public void A_builder_keeps_working_after_freezing_without_changing_the_frozen_map()
    {
        var builder = StateMap.Empty.ToBuilder();
        builder.Set(1, 1);
        var frozen = builder.ToStateMap();
        builder.Set(1, 2);
        builder.Set(2, 2);
        Assert.Equal(1, frozen.Get(1));
        Assert.Equal(1, frozen.Count);
        Assert.Equal(2, builder.ToStateMap().Get(1));
    }

    [Fact]
    public void Entries_enumerate_in_key_order_and_match_a_dictionary_model()
    {
        var random = new Random(3);
        var model = new SortedDictionary<int, int>();
        var map = StateMap.Empty;
        for (var i = 0; i < 2000; i++)
        {
            var key = random.Next(5000);
            if (random.Next(4) == 0)
            {
                model.Remove(key);
                map = map.Remove(key);
            }
            else
            {
                model[key] = i;
                map = map.Set(key, i);
            }
        }

        Assert.Equal(model.Count, map.Count);
        Assert.Equal(model.Select(p => (p.Key, p.Value)), map.ToList().Select(p => (p.Key, p.Value)));
    }
}
